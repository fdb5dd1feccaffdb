/**
 * Network-aware reconnect in a real browser: with every gateway node down the client waits out a long backoff;
 * once the nodes are back and the browser comes back online (`online`), it connects at once.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../../../demo/test/support/chromium.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';
import type { ConnectionState } from '../../src/index.ts';
import { createSyncClient, type SyncClient } from '../../src/index.ts';
import { eventually, newUser, startCluster, tokens, type Cluster } from '../support/cluster.ts';
import { startSdkPageServer, type SdkPageServer } from './support/sdk-page.ts';

type Tandem = typeof import('../../src/index.ts');
interface PageGlobals {
  Tandem: Tandem;
  sdkLoaded?: boolean;
  client: SyncClient;
  onlineEvents: number;
}

/** A retry this far out would outlast the test: only the `online` event can bring the client back in time. */
const LONG_BACKOFF = { baseMs: 120_000, capMs: 120_000, foregroundCapMs: 120_000 };

describe('network-aware reconnect in a browser', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  let browser: BrowserSession;
  let page: Page;
  let site: SdkPageServer;
  const user = newUser('net');

  beforeAll(async () => {
    site = await startSdkPageServer();
    cluster = await startCluster({ nodes: 2, env: { CORS_ORIGINS: site.origin } });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${site.origin}/`);
    await page.waitForFunction(() => (window as unknown as PageGlobals).sdkLoaded === true);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await site?.close();
  }, 60_000);

  it('reconnects on `online` once the nodes are back, without waiting for the backoff', async () => {
    const token = await mintToken({ userId: user });
    const urls = cluster.nodes.map((n) => n.url);
    await page.evaluate(
      ({ urls, token, backoff }) => {
        const w = window as unknown as PageGlobals;
        w.onlineEvents = 0;
        window.addEventListener('online', () => w.onlineEvents++);
        w.client = w.Tandem.createSyncClient({ urls, getToken: () => token, deviceId: 'browser', deviceName: 'Browser', backoff, random: () => 0.99 });
      },
      { urls, token, backoff: LONG_BACKOFF },
    );
    const connection = () => page.evaluate(() => (window as unknown as PageGlobals).client.connection as ConnectionState);
    await eventually(async () => expect((await connection()).status).toBe('connected'), 30_000);

    await Promise.all(cluster.nodes.map((n) => n.kill('SIGKILL')));
    const waiting = await eventually(async () => {
      const state = await connection();
      expect(state).toMatchObject({ status: 'offline', reason: 'network' });
      return state as Extract<ConnectionState, { status: 'offline' }>;
    }, 30_000);
    const pageNow = await page.evaluate(() => Date.now());
    // The retry is due in about two minutes: long after this test would have given up.
    expect((waiting.retryAt ?? 0) - pageNow).toBeGreaterThan(60_000);

    await browser.context.setOffline(true);
    await Promise.all(cluster.nodes.map((n) => n.start()));
    expect(await connection()).toMatchObject({ status: 'offline', reason: 'network', retryAt: waiting.retryAt });
    await browser.context.setOffline(false);
    await eventually(async () => expect(await page.evaluate(() => (window as unknown as PageGlobals).onlineEvents)).toBe(1), 10_000);
    await eventually(async () => expect((await connection()).status).toBe('connected'), 30_000);
    expect(await page.evaluate(() => Date.now())).toBeLessThan(waiting.retryAt ?? 0);

    // It really syncs again: an edit in the page reaches another device of the user.
    const other = createSyncClient({ urls, getToken: tokens(user), deviceId: 'other' });
    try {
      await other.ready;
      await page.evaluate(() => (window as unknown as PageGlobals).client.cart.add({ sku: 'sku-1', title: 'Mug', priceCents: 900 }));
      await eventually(() => expect(other.cart.get().items.map((l) => [l.sku, l.qty])).toEqual([['sku-1', 1]]));
    } finally {
      await other.close();
    }
  });
});
