import type { BenchResults, RowResult } from './types.ts';

/** Columns padded to their widest cell; the first column left-aligned, numbers right-aligned. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toString());
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}×`;
const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US'));

/**
 * The headline memory figure: with several levels, the slope from the first to the last (what one more
 * connection costs, without the one-off cost of the first ones); with one level, growth from the empty node.
 */
export function memoryPerConn(row: RowResult): { rss: number; heap: number } | null {
  const last = row.memory.at(-1);
  if (!last) return null;
  return { rss: last.rssKBPerConnSlope, heap: last.heapKBPerConnSlope };
}

function throughputCell(row: RowResult): string {
  const t = row.throughput;
  if (!t) return '-';
  if (t.maxRate === null) return `<${num(t.steps[0]?.rate)}`;
  // Past the last step, or the load process could not offer the next rate: a lower bound, not a knee.
  if (t.stoppedBy === 'ceiling') return `≥${num(t.maxRate)}`;
  if (t.stoppedBy === 'load-bound') return `≥${num(t.maxRate)} (gen)`;
  return num(t.maxRate);
}

/** The headline table: latency at 1k and 5k/s, max throughput, memory, failover, ratios to the reference. */
export function headlineTable(results: BenchResults): string {
  const ref = results.rows.find((r) => r.id === results.reference) ?? null;
  const at = (row: RowResult | null, rate: number) => row?.latency[String(rate)]?.latency ?? null;
  const headers = ['system', 'p50 1k', 'p99 1k', 'p999 1k', 'p50 5k', 'p99 5k', 'p999 5k', 'max msg/s', 'KB/conn', 'failover p99', `p50× 1k/5k`, `p99× 1k/5k`, 'max×', 'KB×'];
  const rows = results.rows.map((row) => {
    const mem = memoryPerConn(row);
    const refMem = ref ? memoryPerConn(ref) : null;
    return [
      row.id,
      ms(at(row, 1000)?.p50),
      ms(at(row, 1000)?.p99),
      ms(at(row, 1000)?.p999),
      ms(at(row, 5000)?.p50),
      ms(at(row, 5000)?.p99),
      ms(at(row, 5000)?.p999),
      throughputCell(row),
      mem ? `${mem.rss.toFixed(1)} (${mem.heap.toFixed(1)})` : '-',
      row.failover ? `${ms(row.failover.catchUpMs.p99)} ms` : '-',
      `${ratio(at(row, 1000)?.p50, at(ref, 1000)?.p50)}/${ratio(at(row, 5000)?.p50, at(ref, 5000)?.p50)}`,
      `${ratio(at(row, 1000)?.p99, at(ref, 1000)?.p99)}/${ratio(at(row, 5000)?.p99, at(ref, 5000)?.p99)}`,
      ratio(row.throughput?.maxRate, ref?.throughput?.maxRate),
      ratio(mem?.rss, refMem?.rss),
    ];
  });
  return renderTable(headers, rows);
}

/** Everything behind the headline: CPU per change, acks, loss, memory levels, fan-out, failover. */
export function detailTables(results: BenchResults): string {
  const parts: string[] = [];
  const lat = results.rows.flatMap((row) =>
    Object.values(row.latency).map((l) => [
      `${row.id} @${l.rate}/s`,
      num(l.latency.count),
      ms(l.latency.mean),
      ms(l.latency.max),
      l.ack ? `${ms(l.ack.p50)}/${ms(l.ack.p99)}` : '-',
      `${l.cpuMsPer1k.toFixed(0)} (${['node1', 'node2', 'redis'].map((r) => (l.cpuMsPer1kByRole[r] ?? 0).toFixed(0)).join('/')})`,
      String(l.lost),
      Object.entries(l.failed).map(([c, n]) => `${c}:${n}`).join(' ') || '0',
      ms(l.sendLagP99Ms),
    ]),
  );
  if (lat.length > 0) parts.push(renderTable(['latency detail', 'measured', 'mean ms', 'max ms', 'ack p50/p99', 'cpu-ms/1k (n1/n2/redis)', 'lost', 'failed', 'gen lag p99'], lat));
  const mem = results.rows.flatMap((row) =>
    row.memory.map((m) => [
      row.id,
      num(m.connections),
      m.rssKBPerConn.toFixed(1),
      m.heapKBPerConn.toFixed(1),
      m.rssKBPerConnSlope.toFixed(1),
      m.heapKBPerConnSlope.toFixed(1),
      m.redisKBPerConn.toFixed(2),
      (m.connectMs / 1000).toFixed(1),
    ]),
  );
  if (mem.length > 0) {
    parts.push(renderTable(['memory per idle connection', 'conns', 'KB RSS', 'KB heap', 'slope RSS', 'slope heap', 'KB redis', 'connect s'], mem));
  }
  const thr = results.rows.filter((r) => r.throughput).map((row) => [row.id, throughputCell(row), row.throughput?.stoppedBy ?? '-', row.throughput?.steps.map((s) => `${s.rate / 1000}k:${ms(s.p99)}${s.verdict === 'ok' ? '' : `(${s.verdict})`}`).join(' ') ?? '']);
  if (thr.length > 0) parts.push(renderTable(['throughput', 'max/s', 'stopped by', 'steps (rate:p99 ms)'], thr));
  const fan = results.rows.filter((r) => r.fanout).map((row) => {
    const f = row.fanout!;
    return [
      row.id,
      `${f.oneUser.devices}: ${ms(f.oneUser.lastDevice.p50)}/${ms(f.oneUser.lastDevice.p99)}`,
      `${ms(f.manyUsers.latency.p50)}/${ms(f.manyUsers.latency.p99)}`,
      f.manyUsers.foreignDeliveriesPerChange.toFixed(2),
      Math.round(f.manyUsers.foreignBytesPerChange).toString(),
      f.manyUsers.foreignCpuMsPer1k.toFixed(0),
      String(f.oneUser.lost + f.manyUsers.lost),
    ];
  });
  if (fan.length > 0) {
    parts.push(renderTable(['fan-out (4 nodes)', 'devices: last p50/p99', 'users p50/p99', 'bystander msgs/change', 'B/change', 'bystander cpu-ms/1k', 'lost'], fan));
  }
  const fo = results.rows.filter((r) => r.failover).map((row) => {
    const f = row.failover!;
    return [
      row.id,
      `${f.caughtUp}/${f.devices}`,
      `${ms(f.reconnectMs.p50)}/${ms(f.reconnectMs.p99)}/${ms(f.reconnectMs.max)}`,
      `${ms(f.catchUpMs.p50)}/${ms(f.catchUpMs.p99)}/${ms(f.catchUpMs.max)}`,
      String(f.recoveredChanges),
      String(f.snapshots),
      String(f.connectFailures),
      (['dropped', 'backoff', 'handshake', 'sync'] as const).map((k) => ms(f.phasesMs[k].p99)).join('/'),
      Object.entries(f.cpuMs)
        .map(([name, v]) => `${name.replace(/^.*-(n\d)$/, '$1')}:${v}`)
        .join(' '),
    ];
  });
  if (fo.length > 0) {
    parts.push(
      renderTable(
        ['failover (kill -9)', 'caught up', 'reconnect p50/p99/max ms', 'caught up p50/p99/max ms', 'changes recovered', 'snapshots', 'failed attempts', 'p99 drop/backoff/handshake/sync', 'cpu-ms after kill'],
        fo,
      ),
    );
  }
  return parts.join('\n\n');
}

export function profileTable(results: BenchResults): string {
  const p = results.profile;
  if (!p) return '';
  return p.nodes
    .map((n) =>
      [
        `${n.name} (${n.role}): ${Math.round(n.busyMs)} ms busy in ${p.seconds} s at ${p.rate}/s, ${Math.round((n.busyMs * 1000) / (p.rate * p.seconds))} µs per change — ${n.file}`,
        renderTable(['function', 'self ms', 'share', 'where'], n.hotSpots.map((h) => [h.name, String(h.selfMs), `${(h.share * 100).toFixed(1)}%`, h.where])),
        renderTable(['package', 'self ms', 'share'], n.byPackage.map((h) => [h.name, String(h.selfMs), `${(h.share * 100).toFixed(1)}%`])),
        renderTable(['our code (inclusive)', 'ms', 'share', 'where'], n.ours.map((h) => [h.name, String(h.selfMs), `${(h.share * 100).toFixed(1)}%`, h.where])),
      ].join('\n'),
    )
    .join('\n\n');
}
