/**
 * The demo cluster without a browser, on the http-proxy fallback balancer (what runs where neither haproxy nor
 * nginx is installed): a real SDK client in Node connects through it, its node is killed through the control
 * endpoint, and it carries on through another node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncClient, type SyncClient } from '../../client-sdk/src/index.ts';
import { startDemoCluster, type DemoCluster } from '../cluster/cluster.ts';
import { freePorts } from '../../test/support/free-port.ts';
import type { ClusterInfo } from '../src/cluster-types.ts';
import { CONTROL_API } from '../src/cluster-types.ts';
import { isAlive } from './support/processes.ts';

const WAIT = { timeout: 30_000, interval: 100 };

describe('demo cluster on the http-proxy balancer', () => {
  let cluster: DemoCluster;
  let client: SyncClient;

  const control = async (path: string, method = 'GET'): Promise<{ status: number; info: ClusterInfo }> => {
    const response = await fetch(new URL(path, cluster.url), { method, headers: { 'content-type': 'application/json' } });
    return { status: response.status, info: (await response.json()) as ClusterInfo };
  };

  beforeAll(async () => {
    const [port, n1, n2, n3, controlPort, redisPort] = (await freePorts(6)) as [number, number, number, number, number, number];
    cluster = await startDemoCluster({ port, nodePorts: [n1, n2, n3], controlPort, redisPort, balancer: 'http-proxy', build: false });
    const url = cluster.url.replace(/\/$/, '');
    client = createSyncClient({
      url,
      deviceId: 'node-client',
      getToken: async () => {
        const response = await fetch(`${url}/auth/dev-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'cluster-test', deviceId: 'node-client' }),
        });
        return ((await response.json()) as { token: string }).token;
      },
    });
    await client.ready;
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('lists three healthy nodes and marks gateway answers for the page', async () => {
    const { status, info } = await control(CONTROL_API.cluster);
    expect(status).toBe(200);
    expect(info.balancer).toBe('http-proxy');
    expect(info.nodes.map((n) => [n.id, n.state, n.ready])).toEqual([
      ['node-1', 'running', true],
      ['node-2', 'running', true],
      ['node-3', 'running', true],
    ]);
    expect(info.nodes.reduce((sum, n) => sum + (n.connections ?? 0), 0)).toBe(1);
    const ready = await fetch(new URL('/readyz', cluster.url));
    expect(ready.headers.get('x-tandem-demo-control')).toBe('/demo-api/');
  });

  it('refuses a kill without a JSON content type and an unknown node', async () => {
    expect((await fetch(new URL(CONTROL_API.kill('node-1'), cluster.url), { method: 'POST' })).status).toBe(415);
    expect((await control(CONTROL_API.kill('node-9'), 'POST')).status).toBe(404);
  });

  it('moves the client to another node when its node is killed, without losing a change', async () => {
    await client.cart.add({ sku: 'mg-300', title: 'Ceramic mug', priceCents: 1800, qty: 1 });
    const before = client.nodeId;
    if (!before) throw new Error('client has no node');
    const { status, info } = await control(CONTROL_API.kill(before), 'POST');
    expect(status).toBe(200);
    expect(info.nodes.find((n) => n.id === before)?.state).toBe('killed');
    await expect.poll(() => (client.status === 'connected' ? client.nodeId : null), WAIT).not.toBeNull();
    expect(client.nodeId).not.toBe(before);
    const ack = await client.cart.add({ sku: 'mg-300', title: 'Ceramic mug', priceCents: 1800, qty: 1 });
    expect(ack.version).toBeGreaterThanOrEqual(2);
    expect(client.cart.get().items).toEqual([{ sku: 'mg-300', title: 'Ceramic mug', priceCents: 1800, qty: 2 }]);
  });

  it('drains a running node on restart: its client moves on before the node comes back', async () => {
    const before = client.nodeId;
    if (!before) throw new Error('client has no node');
    expect((await control(CONTROL_API.restart(before), 'POST')).status).toBe(202);
    await expect.poll(() => (client.status === 'connected' && client.nodeId !== before ? client.nodeId : null), WAIT).not.toBeNull();
    await expect.poll(async () => (await control(CONTROL_API.cluster)).info.nodes.find((n) => n.id === before)?.state, { timeout: 90_000, interval: 200 }).toBe('running');
    const ack = await client.cart.setQuantity('mg-300', 3);
    expect(ack.duplicate).toBe(false);
  }, 120_000);

  it('restarts the killed node and stops every process at the end', async () => {
    const killed = (await control(CONTROL_API.cluster)).info.nodes.find((n) => n.state === 'killed');
    if (!killed) throw new Error('no killed node');
    expect((await control(CONTROL_API.restart(killed.id), 'POST')).status).toBe(202);
    await expect.poll(async () => (await control(CONTROL_API.cluster)).info.nodes.find((n) => n.id === killed.id)?.state, { timeout: 90_000, interval: 200 }).toBe('running');
    const pids = cluster.processIds();
    expect(pids).toHaveLength(4);
    await client.close();
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid), `process ${pid}`).toBe(false);
  }, 120_000);
});
