import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../client-sdk/src/protocol/index.ts';
import { mintToken, startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { connect, ok } from './helpers.ts';
import { connectPacket, openRaw, type RawConnection } from './raw-engine-io.ts';

let node: GatewayProcess;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

beforeAll(async () => {
  node = await startGateway({ nodeId: 'nonreader', env: { RATE_LIMIT_PER_SEC: '100000', RATE_LIMIT_BURST: '100000' } });
});

afterAll(async () => {
  await node?.kill();
});

describe('clients that never read', () => {
  it('drops 10 connections that ask for big answers, never read them and send pongs nobody asked for; the node grows by at most 50 MB', async () => {
    const pid = node.pid;
    if (pid === undefined) throw new Error('no pid');
    // A cart whose snapshot is about 120 KB: 200 lines with 200-character titles.
    const token = await mintToken({ userId: 'hoarder' });
    const owner = await connect(node.url, { token, deviceId: 'owner' });
    for (let i = 0; i < 200; i++) await ok(owner, 'cart:add', { seq: i + 1, sku: `s${i}`, title: 'é'.repeat(200), priceCents: 1, qty: 1 });
    owner.close();
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);

    const raws: RawConnection[] = [];
    for (let c = 0; c < 10; c++) {
      const raw = await openRaw(node.url, { answerPings: false });
      raw.send(connectPacket({ token, deviceId: `hoard-${c}`, protocol: PROTOCOL_VERSION }));
      raws.push(raw);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const raw of raws) (raw.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Each asks for the snapshot again and again and pretends to be alive; none of them reads a byte.
    let id = 0;
    const flood = setInterval(() => {
      for (const raw of raws) {
        if (raw.ws.readyState !== raw.ws.OPEN) continue;
        raw.sendFrame('3');
        for (let k = 0; k < 20; k++) raw.send(`2${++id}["sync:since",{"since":null}]`);
      }
    }, 50);
    // A paused client never reads the FIN either: the node's log says when it cut each one off.
    const cutOff = () => new Set(node.logs().filter((l) => l.includes('slow consumer') || l.includes('pong without a ping')).map((l) => /hoard-\d+/.exec(l)?.[0])).size;
    const deadline = Date.now() + 30_000;
    while (cutOff() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const closedAt = cutOff() >= 10 ? 'closed' : `only ${cutOff()} cut off`;
    clearInterval(flood);
    clearInterval(sampler);
    const growth = peak - before;
    console.log(`10 non-reading connections: ${closedAt}; node RSS ${before.toFixed(0)} MB -> peak ${peak.toFixed(0)} MB (+${growth.toFixed(1)} MB)`);
    expect(closedAt).toBe('closed');
    expect(growth).toBeLessThanOrEqual(50);
    for (const raw of raws) raw.close();
  }, 60_000);
});
