import { answerCode, mustConnect, type Probe } from '../harness/probe.ts';
import { check, type Check } from '../harness/scenario.ts';
import { waitUntil } from '../harness/stats.ts';

/**
 * The gateway's cross-node promise, checked with raw clients on whatever store the cluster uses: a phone on
 * node a and a laptop on node b see each other's cart, watch and device changes live; after node a dies the
 * phone reconnects to node b and `sync:since` its last version returns exactly the changes it missed.
 */
export interface CrossNode {
  /** Call after node a was killed. */
  afterKill(): Promise<Check[]>;
  checks: Check[];
}

function lastVersion(probe: Probe, acked: number): number {
  return Math.max(acked, ...probe.pushes.map((p) => p.change.version));
}

export async function crossNodeBefore(urls: { a: string; b: string }, label: string): Promise<CrossNode> {
  const checks: Check[] = [];
  const phone = await mustConnect({ url: urls.a, userId: 'xnode', deviceId: 'phone' });
  const laptop = await mustConnect({ url: urls.b, userId: 'xnode', deviceId: 'laptop' });
  await phone.request('sync:since', { since: null });
  await laptop.request('sync:since', { since: null });
  const add = await phone.mutate('cart:add', { sku: 'kettle', title: 'Kettle', priceCents: 2599, qty: 2 });
  const added = add.answer as { ok?: boolean; epoch?: string; version?: number };
  const seenCart = await waitUntil(() => laptop.pushes.some((p) => p.change.op.type === 'cart:line'), 3000, 10);
  checks.push(check(`${label}: a cart change on one node reaches a device on another live`, answerCode(add.answer) === 'ok' && seenCart !== null, `${answerCode(add.answer)}, push ${seenCart === null ? 'missing' : `after ${seenCart} ms`}`));
  const report = await laptop.mutate('watch:report', { videoId: 'film', positionSec: 42, durationSec: 3600, at: Date.now(), kind: 'progress' });
  const seenWatch = await waitUntil(() => phone.pushes.some((p) => p.change.op.type === 'watch'), 3000, 10);
  checks.push(check(`${label}: a watch report travels the other way live`, answerCode(report.answer) === 'ok' && seenWatch !== null, `${answerCode(report.answer)}, push ${seenWatch === null ? 'missing' : `after ${seenWatch} ms`}`));
  const devices = await laptop.request('devices:list', {});
  const online = ((devices.answer as { devices?: Array<{ deviceId: string; online: boolean }> }).devices ?? []).filter((d) => d.online).map((d) => d.deviceId).sort();
  checks.push(check(`${label}: both devices listed online`, online.join(',') === 'laptop,phone', online.join(',') || 'none'));
  const epoch = added.epoch ?? '';
  const cursor = lastVersion(phone, added.version ?? 0);
  return {
    checks,
    async afterKill() {
      const out: Check[] = [];
      try {
        const missed: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await laptop.mutate('cart:add', { sku: `after-${i}`, title: 'After', priceCents: 1, qty: 1 });
          missed.push((r.answer as { version?: number }).version ?? -1);
        }
        const back = await mustConnect({ url: urls.b, userId: 'xnode', deviceId: 'phone' });
        try {
          const caught = await back.request('sync:since', { since: { epoch, version: cursor } });
          const sync = (caught.answer as { sync?: { kind: string; changes?: Array<{ version: number }> } }).sync;
          const versions = (sync?.changes ?? []).map((c) => c.version);
          out.push(check(`${label}: the phone, back on another node, gets exactly the changes it missed`, sync?.kind === 'changes' && versions.join(',') === missed.join(','), `${sync?.kind ?? answerCode(caught.answer)}: versions ${versions.join(',')} (missed ${missed.join(',')})`));
        } finally {
          back.close();
        }
      } finally {
        phone.close();
        laptop.close();
      }
      return out;
    },
  };
}
