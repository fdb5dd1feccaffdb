import type { BenchResults } from './report/types.ts';
import { slowLinkTable } from './report/slow-link-table.ts';
import { detailTables, headlineTable, profileTable } from './report/table.ts';
import type { Sizes } from './steps/context.ts';

/** Prints the run's tables, the startup line and the notes. */
export function printResults(results: BenchResults, sizes: Sizes): void {
  const { profile, startup, slowLink, sdkCpu, durability, webhooks, notes } = results;
  process.stdout.write('\n');
  if (profile) process.stdout.write(`${profileTable(results)}\n`);
  else {
    process.stdout.write(`${headlineTable(results)}\n\n`);
    process.stdout.write(`latency in ms (device A on node 1 → device B on node 2, paced over ${sizes.pairs} users); KB/conn = RSS (heap) per idle connection, ${sizes.memoryLevels.length > 1 ? `slope from ${sizes.memoryLevels[0]?.toLocaleString('en-US')} to ${sizes.memoryLevels.at(-1)?.toLocaleString('en-US')} connections` : `growth at ${sizes.memoryLevels[0]?.toLocaleString('en-US')}`}; ratios vs ${results.reference} in this run\n\n`);
    process.stdout.write(`${detailTables(results)}\n`);
  }
  if (startup) {
    process.stdout.write(`start → /readyz (memory engine, median): compiled ${Math.round(startup.compiled.medianMs)} ms (CPU ${startup.compiled.cpuMedianMs ?? '?'} ms), tsx source ${Math.round(startup.source.medianMs)} ms (CPU ${startup.source.cpuMedianMs ?? '?'} ms); target ≤ ${startup.targetMs} ms\n`);
  }
  if (slowLink) process.stdout.write(`${slowLinkTable(slowLink)}\n`);
  if (sdkCpu) {
    process.stdout.write(`client CPU per change (${sdkCpu.changes} sequential cart adds, one process holding both devices): SDK ${Math.round(sdkCpu.sdkUsPerChange)} µs, bare socket.io clients ${Math.round(sdkCpu.bareUsPerChange)} µs: ${sdkCpu.ratio.toFixed(2)}× (target ≤ ${sdkCpu.targetRatio}×); a ${sdkCpu.catchUp.changes}-change catch-up blocked the event loop ${sdkCpu.catchUp.blockMs.toFixed(1)} ms at most (target ≤ ${sdkCpu.catchUp.targetMs} ms)\n`);
  }
  if (durability) {
    const { ack0, ack1 } = durability;
    process.stdout.write(
      `ack with REDIS_MIN_REPLICAS_ACK=1 (WAIT for ${durability.replicas} replica, ${durability.samples} sequential cart:add, interleaved with =0): ` +
        `p50 ${ack1.p50.toFixed(2)} ms vs ${ack0.p50.toFixed(2)} ms (+${(ack1.p50 - ack0.p50).toFixed(2)} ms), p99 ${ack1.p99.toFixed(2)} ms vs ${ack0.p99.toFixed(2)} ms\n`,
    );
  }
  if (webhooks) {
    const c = webhooks.cost;
    process.stdout.write(
      `webhooks (one node, local receiver verifying with standardwebhooks): ${Math.round(webhooks.deliveredPerSec)} events/s delivered (${webhooks.events} events, writes offered at ${Math.round(webhooks.writesPerSec)}/s${webhooks.backlogPerSec === null ? '' : `, backlog after them at ${Math.round(webhooks.backlogPerSec)}/s`}); ` +
        `node + Redis CPU per mutation on ${Math.round(c.onCpuUsPerMutation)} µs vs off ${Math.round(c.offCpuUsPerMutation)} µs: ${c.ratio.toFixed(2)}× (${c.mutations} adds each, every one an event)\n`,
    );
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
}
