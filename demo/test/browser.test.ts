/**
 * The demo in a real browser: Debian's chromium driven by playwright-core against `npm run demo`'s cluster
 * (redis-server, three gateway processes, the round-robin balancer), started on free ports.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, buildDemo } from '../build.ts';
import { startDemoCluster, type DemoCluster } from '../cluster/cluster.ts';
import { freePorts } from '../../test/support/free-port.ts';
import { startGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { openBrowser, type BrowserSession } from './support/chromium.ts';
import { isAlive } from './support/processes.ts';

const SCREENSHOT = join(REPO_ROOT, 'test-output', 'demo.png');
const WAIT = { timeout: 30_000, interval: 100 };
// Several 30 s polls per test: a longer test timeout lets the poll that failed say what it waited for.
const STEPS = { timeout: 120_000 };

describe('demo page in a browser', STEPS, () => {
  let cluster: DemoCluster;
  let browser: BrowserSession;
  let page: Page;
  let phone: Locator;
  let laptop: Locator;

  beforeAll(async () => {
    const [port, n1, n2, n3, control, redisPort] = (await freePorts(6)) as [number, number, number, number, number, number];
    cluster = await startDemoCluster({ port, nodePorts: [n1, n2, n3], controlPort: control, redisPort });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(cluster.url);
    phone = page.getByTestId('frame-phone');
    laptop = page.getByTestId('frame-laptop');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  it('connects both devices through the balancer and shows the 3-node cluster', async () => {
    await expect.poll(() => phone.getAttribute('data-status'), WAIT).toBe('connected');
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('connected');
    await expect.poll(() => page.getByTestId('cluster').getAttribute('data-mode'), WAIT).toBe('control');
    await expect.poll(() => page.locator('[data-testid^="node-node-"][data-state="running"]').count(), WAIT).toBe(3);
    expect(await phone.getAttribute('data-node')).toMatch(/^node-[123]$/);
  });

  it('shows an item added on the phone in the laptop cart', async () => {
    await phone.getByTestId('add-hp-100').click();
    await expect.poll(() => laptop.getByTestId('qty-hp-100').textContent(), WAIT).toBe('1');
    await expect.poll(() => laptop.getByTestId('cart-total').textContent(), WAIT).toBe('$129.00');
    await expect.poll(() => phone.getByTestId('pending').getAttribute('data-pending'), WAIT).toBe('0');
    await expect.poll(() => page.locator('[data-testid="log-item"][data-version="1"]').count(), WAIT).toBe(1);
  });

  it('moves "continue watching" on the laptop when the phone moves the video', async () => {
    const scrubber = phone.getByTestId('scrubber');
    const box = await scrubber.boundingBox();
    if (!box) throw new Error('no scrubber');
    await scrubber.click({ position: { x: box.width * 0.6, y: box.height / 2 } });
    const card = laptop.getByTestId('continue-trailer-aurora');
    await expect.poll(async () => Number(await card.getAttribute('data-percent')), WAIT).toBeGreaterThanOrEqual(58);
    expect(Number(await card.getAttribute('data-percent'))).toBeLessThanOrEqual(62);
    expect(await card.textContent()).toContain('on Phone');

    await scrubber.click({ position: { x: box.width * 0.25, y: box.height / 2 } });
    await expect.poll(async () => Number(await card.getAttribute('data-percent')), WAIT).toBeLessThanOrEqual(27);

    // And the other way round, with another video: it comes first on the phone.
    await laptop.getByLabel('Video').selectOption('talk-sync');
    const laptopScrubber = laptop.getByTestId('scrubber');
    const wide = await laptopScrubber.boundingBox();
    if (!wide) throw new Error('no scrubber');
    await laptopScrubber.click({ position: { x: wide.width * 0.4, y: wide.height / 2 } });
    const first = phone.getByTestId('continue-watching').locator('.continue-card').first();
    await expect.poll(() => first.getAttribute('data-testid'), WAIT).toBe('continue-talk-sync');
    expect(await first.textContent()).toContain('on Laptop');
  });

  it('hands the phone\'s video to the laptop with "Continue on laptop": the laptop plays it, the phone pauses', async () => {
    await phone.getByTestId('play-toggle').click();
    await expect.poll(() => phone.getByTestId('play-toggle').getAttribute('aria-label'), WAIT).toBe('Pause');
    await phone.getByTestId('handoff').click();
    await expect.poll(() => laptop.getByLabel('Video').inputValue(), WAIT).toBe('trailer-aurora');
    await expect.poll(() => laptop.getByTestId('play-toggle').getAttribute('aria-label'), WAIT).toBe('Pause');
    await expect.poll(() => phone.getByTestId('play-toggle').getAttribute('aria-label'), WAIT).toBe('Play');
    // Paused again, so the laptop's progress reports do not run through the steps below.
    await laptop.getByTestId('play-toggle').click();
    await expect.poll(() => laptop.getByTestId('play-toggle').getAttribute('aria-label'), WAIT).toBe('Play');
  });

  it('reconnects the phone to another node when its node is killed, and keeps syncing', async () => {
    const killed = await phone.getAttribute('data-node');
    if (!killed) throw new Error('phone has no node');
    await page.getByTestId(`kill-${killed}`).click();
    await expect.poll(() => page.getByTestId(`node-${killed}`).getAttribute('data-state'), WAIT).toBe('killed');
    await expect
      .poll(async () => `${await phone.getAttribute('data-status')} ${await phone.getAttribute('data-node')}`, WAIT)
      .toMatch(new RegExp(`^connected node-(?!${killed.slice(-1)})[123]$`));
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('connected');

    await phone.getByTestId('add-kb-200').click();
    await expect.poll(() => laptop.getByTestId('qty-kb-200').textContent(), WAIT).toBe('1');
    await expect.poll(() => phone.getByTestId('qty-kb-200').textContent(), WAIT).toBe('1');
    // Nothing from before the kill was lost or doubled.
    expect(await laptop.getByTestId('qty-hp-100').textContent()).toBe('1');
    expect(await phone.getByTestId('qty-hp-100').textContent()).toBe('1');
    await expect.poll(() => phone.getByTestId('pending').getAttribute('data-pending'), WAIT).toBe('0');

    mkdirSync(join(REPO_ROOT, 'test-output'), { recursive: true });
    await page.locator('.phone-app .app-scroll').evaluate((el) => el.scrollTo(0, 0));
    await page.locator('.laptop-app .laptop-body').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // `UPDATE_DEMO_SCREENSHOT=1` refreshes the copy the README shows.
    if (process.env['UPDATE_DEMO_SCREENSHOT'] === '1') copyFileSync(SCREENSHOT, join(REPO_ROOT, 'docs', 'demo.png'));
  }, 60_000);

  it('keeps changes made offline in the outbox and sends them on return', async () => {
    await laptop.getByTestId('offline-switch').click();
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('offline');
    expect(await laptop.getByTestId('offline-toggle').isChecked()).toBe(true);
    await laptop.getByTestId('add-mg-300').click();
    await laptop.getByTestId('add-mg-300').click();
    await expect.poll(() => laptop.getByTestId('pending').getAttribute('data-pending'), WAIT).toBe('2');
    expect(await phone.getByTestId('cart').textContent()).not.toContain('Ceramic mug');
    await laptop.getByTestId('offline-switch').click();
    await expect.poll(() => phone.getByTestId('qty-mg-300').textContent(), WAIT).toBe('2');
    await expect.poll(() => laptop.getByTestId('pending').getAttribute('data-pending'), WAIT).toBe('0');
  });

  it('starts the killed node again from the cluster panel', async () => {
    const killed = await page.locator('[data-testid^="node-node-"][data-state="killed"]').getAttribute('data-testid');
    const id = killed?.replace(/^node-/, '');
    if (!id) throw new Error('no killed node');
    // A killed node's button starts it (no drain to do) and says so.
    const button = page.getByTestId(`restart-${id}`);
    expect(await button.getAttribute('data-action')).toBe('start');
    expect(await button.textContent()).toContain('Start');
    await button.click();
    await expect.poll(() => page.getByTestId('event-log').textContent(), WAIT).toContain(`${id} starting`);
    await expect.poll(() => page.getByTestId(`node-${id}`).getAttribute('data-state'), { timeout: 90_000, interval: 200 }).toBe('running');
    expect(await button.getAttribute('data-action')).toBe('restart');
  }, 120_000);

  it('logged no console errors', () => {
    expect(browser.errors).toEqual([]);
  });

  it('stops every process it started', async () => {
    const pids = cluster.processIds();
    expect(pids.length).toBeGreaterThanOrEqual(4);
    await browser.close();
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid), `process ${pid}`).toBe(false);
  }, 60_000);
});

describe('demo page on the embedded single node (npm start)', STEPS, () => {
  let node: GatewayProcess;
  let browser: BrowserSession;

  beforeAll(async () => {
    await buildDemo();
    // No REDIS_URL, no JWT configuration: the memory engine with dev tokens and the page, as `npm start` runs.
    node = await startGateway({ nodeId: 'embedded', jwtSecret: null, env: { NODE_ENV: 'development', SERVE_DEMO: 'true', LOG_LEVEL: 'warn' } });
    browser = await openBrowser();
    await browser.page.goto(`${node.url}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  }, 60_000);

  it('connects both frames to the one node and shows it without kill buttons', async () => {
    const { page } = browser;
    const phone = page.getByTestId('frame-phone');
    const laptop = page.getByTestId('frame-laptop');
    await expect.poll(() => phone.getAttribute('data-status'), WAIT).toBe('connected');
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('connected');
    expect(await phone.getAttribute('data-node')).toBe('embedded');
    expect(await laptop.getAttribute('data-node')).toBe('embedded');
    await expect.poll(() => page.getByTestId('cluster').getAttribute('data-mode'), WAIT).toBe('observed');
    // Both frames on it, as tags: the page cannot read /metrics (admin port) for a connection count.
    await expect.poll(() => page.getByTestId('node-embedded').locator('.device-tag').allTextContents(), WAIT).toEqual(['Phone', 'Laptop']);
    expect(await page.locator('[data-testid^="kill-"]').count()).toBe(0);

    await laptop.getByTestId('add-lp-500').click();
    await expect.poll(() => phone.getByTestId('qty-lp-500').textContent(), WAIT).toBe('1');
    expect(browser.errors).toEqual([]);
  });
});
