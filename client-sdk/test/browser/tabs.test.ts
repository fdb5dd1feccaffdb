/**
 * One connection per browser: three tabs of one page in headless chromium share one socket through the
 * leader tab (Web Locks + BroadcastChannel), against two real gateway processes on a real Redis.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../../../demo/test/support/chromium.ts';
import { READ_SECRET, TEST_API_KEYS } from '../../../test/admin/admin-node.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';
import type { Change, Device, SyncClient, TabRole } from '../../src/index.ts';
import { createSyncClient } from '../../src/index.ts';
import { eventually, newUser, startCluster, tokens, type Cluster } from '../support/cluster.ts';
import { startSdkPageServer, type SdkPageServer } from './support/sdk-page.ts';

type Tandem = typeof import('../../src/index.ts');
interface PageGlobals {
  Tandem: Tandem;
  sdkLoaded?: boolean;
  client: SyncClient;
  acks: Record<string, number>;
}

describe('tabs of one browser', { timeout: 180_000 }, () => {
  let cluster: Cluster;
  let browser: BrowserSession;
  let site: SdkPageServer;
  let tabs: Page[] = [];
  let other: SyncClient;
  const user = newUser('tabs');

  const admin = async <T,>(path: string): Promise<T> => {
    const node = cluster.nodes[0];
    if (!node) throw new Error('no node');
    const response = await fetch(`${node.adminUrl}${path}`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  /** Open sockets on all nodes, from their /metrics. */
  const sockets = async () => {
    let total = 0;
    for (const node of cluster.nodes) {
      const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('tandem_connections'));
      total += Number(line?.split(' ')[1] ?? 'NaN');
    }
    return total;
  };
  const role = (page: Page) => page.evaluate(() => (window as unknown as PageGlobals).client.tabRole) as Promise<TabRole>;
  const skus = (page: Page) => page.evaluate(() => (window as unknown as PageGlobals).client.cart.get().items.map((l) => `${l.sku}:${l.qty}`).sort());
  const otherSkus = () => other.cart.get().items.map((l) => `${l.sku}:${l.qty}`).sort();
  const add = (page: Page, sku: string) =>
    page.evaluate((s) => {
      const w = (window as unknown as PageGlobals);
      void w.client.cart.add({ sku: s, title: s, priceCents: 100 }).then((ack) => (w.acks[s] = ack.version));
    }, sku);

  beforeAll(async () => {
    site = await startSdkPageServer();
    cluster = await startCluster({ nodes: 2, env: { CORS_ORIGINS: site.origin, API_KEYS: TEST_API_KEYS } });
    browser = await openBrowser();
    const token = await mintToken({ userId: user, ttlSec: 3600 });
    const urls = cluster.nodes.map((n) => n.url);
    tabs = [browser.page, await browser.context.newPage(), await browser.context.newPage()];
    for (const page of tabs) {
      await page.goto(`${site.origin}/`);
      await page.waitForFunction(() => (window as unknown as PageGlobals).sdkLoaded === true);
      await page.evaluate(
        ({ urls, token }) => {
          const w = (window as unknown as PageGlobals);
          w.acks = {};
          w.client = w.Tandem.createSyncClient({ urls, getToken: () => token, deviceName: 'Browser', storage: w.Tandem.localStorageAdapter() });
        },
        { urls, token },
      );
    }
    other = createSyncClient({ urls, getToken: tokens(user), deviceId: 'other', deviceName: 'Other' });
  }, 120_000);

  afterAll(async () => {
    await other?.close();
    await browser?.close();
    await cluster?.stop();
    await site?.close();
  }, 60_000);

  it('holds one socket for the three tabs, one device on the server, and syncs edits between tabs and devices', async () => {
    for (const page of tabs) await eventually(async () => expect(await page.evaluate(() => (window as unknown as PageGlobals).client.status)).toBe('connected'), 30_000);
    await other.ready;
    expect((await Promise.all(tabs.map(role))).sort()).toEqual(['follower', 'follower', 'leader']);
    const deviceIds = await Promise.all(tabs.map((page) => page.evaluate(() => (window as unknown as PageGlobals).client.deviceId)));
    expect(new Set(deviceIds).size).toBe(1);

    await eventually(async () => expect(await sockets()).toBe(2));
    const listed = await admin<{ devices: Device[] }>(`/v1/users/${user}/devices`);
    expect(listed.devices.filter((d) => d.online).map((d) => d.deviceId).sort()).toEqual([deviceIds[0], 'other'].sort());

    for (const [i, page] of tabs.entries()) await add(page, `tab-${i}`);
    await other.cart.add({ sku: 'from-other', title: 'Other', priceCents: 100 });
    const expected = ['from-other:1', 'tab-0:1', 'tab-1:1', 'tab-2:1'];
    for (const page of tabs) await eventually(async () => expect(await skus(page)).toEqual(expected));
    await eventually(() => expect(otherSkus()).toEqual(expected));
    for (const [i, page] of tabs.entries()) {
      await eventually(async () => expect(await page.evaluate((s) => (window as unknown as PageGlobals).acks[s], `tab-${i}`)).toBeGreaterThan(0));
    }
  });

  it('hands the connection to another tab when the leader closes, and loses nothing that was pending', async () => {
    const roles = await Promise.all(tabs.map(role));
    const leader = tabs[roles.indexOf('leader')] as Page;
    const followers = tabs.filter((page) => page !== leader);
    // Offline on purpose (one switch for the whole browser), so the edits stay pending across the handover.
    await leader.evaluate(() => (window as unknown as PageGlobals).client.goOffline());
    for (const page of tabs) await eventually(async () => expect(await page.evaluate(() => (window as unknown as PageGlobals).client.status)).toBe('offline'));
    await add(leader, 'pending-leader');
    for (const [i, page] of followers.entries()) await add(page, `pending-${i}`);
    for (const page of tabs) await eventually(async () => expect(await page.evaluate(() => (window as unknown as PageGlobals).client.pendingCount)).toBe(3));

    const closedAt = Date.now();
    await leader.close();
    const next = await eventually(async () => {
      const found = (await Promise.all(followers.map(role))).indexOf('leader');
      expect(found).toBeGreaterThanOrEqual(0);
      return followers[found] as Page;
    }, 20_000);
    const takeoverMs = Date.now() - closedAt;
    tabs = followers;
    // The new leader starts its own client: it connects (a manual offline belongs to the closed tab's client).
    const expected = ['from-other:1', 'pending-0:1', 'pending-1:1', 'pending-leader:1', 'tab-0:1', 'tab-1:1', 'tab-2:1'];
    await eventually(() => expect(otherSkus()).toEqual(expected), 30_000);
    for (const page of followers) {
      await eventually(async () => expect(await skus(page)).toEqual(expected));
      await eventually(async () => expect(await page.evaluate(() => (window as unknown as PageGlobals).client.pendingCount)).toBe(0));
    }
    // Each follower's pending call was answered by the new leader, from the stored outbox.
    for (const [i, page] of followers.entries()) {
      await eventually(async () => expect(await page.evaluate((s) => (window as unknown as PageGlobals).acks[s], `pending-${i}`)).toBeGreaterThan(0));
    }
    expect(await role(next)).toBe('leader');

    // Per-device seq strictly increasing across the handover, and every edit applied once.
    const log = await admin<{ changes: Change[] }>(`/v1/users/${user}/changes?since=0`);
    const browserId = await next.evaluate(() => (window as unknown as PageGlobals).client.deviceId);
    const seqs = log.changes.filter((c) => c.deviceId === browserId).map((c) => c.seq);
    expect(seqs).toHaveLength(6);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);

    // Still one socket for the browser, and edits still flow both ways.
    await eventually(async () => expect(await sockets()).toBe(2));
    for (const [i, page] of followers.entries()) await add(page, `after-${i}`);
    await other.cart.setQuantity('from-other', 3);
    const after = ['after-0:1', 'after-1:1', ...expected.filter((s) => s !== 'from-other:1'), 'from-other:3'].sort();
    for (const page of followers) await eventually(async () => expect(await skus(page)).toEqual(after));
    await eventually(() => expect(otherSkus()).toEqual(after));
    console.log(`tabs: takeover seen ${takeoverMs} ms after the leader tab closed (uptime: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  });
});
