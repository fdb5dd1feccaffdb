import { LIMITS } from '../../../../client-sdk/src/protocol/index.ts';
import { answerCode, mustConnect } from '../../harness/probe.ts';
import { check, type Check } from '../../harness/scenario.ts';
import { pause, waitUntil } from '../../harness/stats.ts';

/** A frame past maxHttpBufferSize closes that connection (and only it); a huge field under it is bad_request. */
export async function oversizeAttack(url: string): Promise<Check[]> {
  const probe = await mustConnect({ url, userId: 'big', deviceId: 'big' });
  let closedBy = '';
  probe.socket.on('disconnect', (reason) => (closedBy = reason));
  const near = await probe.mutate('cart:add', { sku: 's'.repeat(10_000), title: 't', priceCents: 1, qty: 1 });
  void probe.mutate('cart:add', { sku: 'big', title: 'x'.repeat(4 * LIMITS.pushBytes), priceCents: 1, qty: 1 }, 3000);
  const closed = await waitUntil(() => closedBy !== '', 5000, 20);
  probe.close();
  return [
    check('a 10 KB field under the frame limit answers bad_request', answerCode(near.answer) === 'bad_request', answerCode(near.answer)),
    check(`a ${(4 * LIMITS.pushBytes) / 1024} KiB frame (over the ${(2 * LIMITS.pushBytes) / 1024} KiB limit) closes the connection`, closed !== null, closed === null ? 'still open' : `closed (${closedBy})`),
  ];
}

/** A connection that sends far more than its allowance is told `flood` and cut off. */
export async function floodAttack(url: string): Promise<Check[]> {
  const probe = await mustConnect({ url, userId: 'flooder', deviceId: 'flooder' });
  let closedBy = '';
  probe.socket.on('disconnect', (reason) => (closedBy = reason));
  const codes = new Map<string, number>();
  const answers: Array<Promise<void>> = [];
  for (let i = 0; i < 2000 && closedBy === ''; i++) {
    answers.push(probe.request('devices:list', {}, 3000).then((a) => void codes.set(answerCode(a.answer), (codes.get(answerCode(a.answer)) ?? 0) + 1)));
    if (i % 100 === 99) await pause(1);
  }
  await waitUntil(() => closedBy !== '', 5000, 20);
  await Promise.all(answers);
  probe.close();
  const ended = probe.endings.some((e) => e.reason === 'flood');
  return [
    check('a flood is told `flood` and cut off', ended && closedBy !== '', `session:ending flood ${ended ? 'sent' : 'missing'}, ${closedBy || 'still connected'}; answers ${JSON.stringify([...codes])}`),
  ];
}

/**
 * One user at about 10× the rate limit, spread over three devices on three nodes: the shared bucket must hold
 * across nodes (at most 1.1× what the bucket allows: burst + rate × time).
 */
export async function rateLimitAttack(urls: string[], limit: { perSecond: number; burst: number }): Promise<{ checks: Check[]; figure: string }> {
  const probes = await Promise.all(urls.map((url, i) => mustConnect({ url, userId: 'greedy', deviceId: `greedy-${i}` })));
  const durationMs = 3000;
  const perProbeGap = (1000 * probes.length) / (limit.perSecond * 10);
  const start = Date.now();
  let ok = 0;
  let sent = 0;
  const codes = new Map<string, number>();
  await Promise.all(
    probes.map(async (probe, i) => {
      const pending: Array<Promise<void>> = [];
      for (let n = 0; Date.now() - start < durationMs; n++) {
        sent += 1;
        pending.push(
          probe.mutate('cart:add', { sku: `g${i}-${n % 50}`, title: 'Greedy', priceCents: 1, qty: 1 }, 5000).then((a) => {
            const code = answerCode(a.answer);
            codes.set(code, (codes.get(code) ?? 0) + 1);
            if (code === 'ok') ok += 1;
          }),
        );
        await pause(perProbeGap);
      }
      await Promise.all(pending);
    }),
  );
  for (const p of probes) p.close();
  const elapsed = (Date.now() - start) / 1000;
  const allowed = limit.burst + limit.perSecond * elapsed;
  const ratio = ok / allowed;
  return {
    checks: [check('one user at 10× the rate limit over three nodes: at most 1.1× the allowance accepted', ratio <= 1.1, `${ok} accepted of ${sent} sent in ${elapsed.toFixed(1)} s, allowance ${allowed.toFixed(0)} (×${ratio.toFixed(2)}); ${JSON.stringify([...codes])}`)],
    figure: `${ok}/${sent} accepted, ×${ratio.toFixed(2)} of allowance`,
  };
}
