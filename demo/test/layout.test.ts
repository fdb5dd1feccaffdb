/**
 * The demo page's layout in a real browser (Debian's chromium, playwright-core) on the embedded node, as
 * `npm start` serves it: with a cart of four lines, the device frames, the laptop's cart, its device list and its
 * shop grid never overlap from a small laptop screen to a wide monitor, and a phone-sized window gets one column
 * with no sideways scrolling. Screenshots go to test-output/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, buildDemo } from '../build.ts';
import { startGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { openBrowser, type BrowserSession } from './support/chromium.ts';

const WAIT = { timeout: 30_000, interval: 100 };
const OUTPUT = join(REPO_ROOT, 'test-output');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Overlap by more than half a pixel (borders that touch do not count). */
function overlap(a: Box, b: Box): boolean {
  const slack = 0.5;
  return a.x + slack < b.x + b.width && b.x + slack < a.x + a.width && a.y + slack < b.y + b.height && b.y + slack < a.y + a.height;
}

async function boxes(named: Record<string, Locator>): Promise<Record<string, Box>> {
  const out: Record<string, Box> = {};
  for (const [name, locator] of Object.entries(named)) {
    const box = await locator.boundingBox();
    if (!box || box.width === 0 || box.height === 0) throw new Error(`${name} is not laid out`);
    out[name] = box;
  }
  return out;
}

function overlapping(found: Record<string, Box>): string[] {
  const names = Object.keys(found);
  const pairs: string[] = [];
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) if (overlap(found[a] as Box, found[b] as Box)) pairs.push(`${a} × ${b}`);
  }
  return pairs;
}

/** Two animation frames: the layout after a resize has been computed and painted. */
const settled = (page: Page) => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));

describe('demo page layout', { timeout: 120_000 }, () => {
  let node: GatewayProcess;
  let browser: BrowserSession;
  let page: Page;
  let phone: Locator;
  let laptop: Locator;

  beforeAll(async () => {
    await buildDemo();
    // The memory engine with dev tokens and the page, as `npm start` runs it.
    node = await startGateway({ nodeId: 'layout', jwtSecret: null, env: { NODE_ENV: 'development', SERVE_DEMO: 'true', LOG_LEVEL: 'warn' } });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${node.url}/`);
    phone = page.getByTestId('frame-phone');
    laptop = page.getByTestId('frame-laptop');
    // expect.poll belongs to tests; a hook waits with vi.waitFor.
    await vi.waitFor(async () => expect(await laptop.getAttribute('data-status')).toBe('connected'), WAIT);
    await vi.waitFor(async () => expect(await phone.getAttribute('data-status')).toBe('connected'), WAIT);
    for (const sku of ['hp-100', 'kb-200', 'mg-300', 'lp-500']) {
      await laptop.getByTestId(`add-${sku}`).click();
      await vi.waitFor(async () => expect(await laptop.getByTestId(`qty-${sku}`).textContent()).toBe('1'), WAIT);
    }
    mkdirSync(OUTPUT, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  }, 60_000);

  const screens: [number, number, boolean][] = [
    [1280, 800, true],
    [1366, 768, true],
    [1440, 900, false],
    [1920, 1080, true],
  ];
  it.each(screens)('keeps every panel clear of the others at %i×%i', async (width, height, screenshot) => {
    await page.setViewportSize({ width, height });
    await settled(page);
    const pagePanels = await boxes({
      phone,
      laptop,
      cluster: page.getByTestId('cluster'),
      log: page.getByTestId('event-log'),
    });
    expect(overlapping(pagePanels)).toEqual([]);
    const laptopPanels = await boxes({
      'laptop devices': laptop.getByTestId('devices'),
      'laptop cart': laptop.getByTestId('cart'),
      'laptop shop': laptop.getByTestId('catalog'),
    });
    expect(overlapping(laptopPanels)).toEqual([]);
    // Inside the laptop's screen, not spilling over its frame.
    const frame = pagePanels['laptop'] as Box;
    for (const [name, box] of Object.entries(laptopPanels)) {
      expect(box.x >= frame.x && box.x + box.width <= frame.x + frame.width + 0.5, name).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    if (screenshot) await page.screenshot({ path: join(OUTPUT, `demo-${width}x${height}.png`) });
  });

  it('stacks into one column on a 390 px phone, with no sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const stacked = await boxes({ phone, laptop, cluster: page.getByTestId('cluster'), log: page.getByTestId('event-log') });
    expect(overlapping(stacked)).toEqual([]);
    // One column: each panel starts below the one before it.
    const tops = [stacked['phone'], stacked['laptop'], stacked['cluster'], stacked['log']].map((b) => (b as Box).y);
    expect([...tops].sort((a, b) => a - b)).toEqual(tops);
    const inner = await boxes({ devices: laptop.getByTestId('devices'), cart: laptop.getByTestId('cart'), shop: laptop.getByTestId('catalog') });
    expect(overlapping(inner)).toEqual([]);
    await page.screenshot({ path: join(OUTPUT, 'demo-390x844.png'), fullPage: true });
  });

  it('shows a device online in the list only while it is connected', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const self = laptop.locator('[data-testid="device-row"][data-self="true"]');
    const other = laptop.locator('[data-testid="device-row"][data-self="false"]');
    await expect.poll(() => self.getAttribute('data-online'), WAIT).toBe('true');
    await expect.poll(() => other.getAttribute('data-online'), WAIT).toBe('true');
    await laptop.getByTestId('offline-switch').click();
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('offline');
    await expect.poll(() => self.getAttribute('data-online'), WAIT).toBe('false');
    expect(await self.getByTestId('device-detail').textContent()).toContain('offline');
    // It cannot know about the phone while it is offline itself.
    expect(await other.getAttribute('data-online')).toBe('false');
    expect(await laptop.getByTestId('retry-now').count()).toBe(0);
    await laptop.getByTestId('offline-switch').click();
    await expect.poll(() => self.getAttribute('data-online'), WAIT).toBe('true');
    await expect.poll(() => other.getAttribute('data-online'), WAIT).toBe('true');
    expect(browser.errors).toEqual([]);
  });

  // Last: a node that is down fills the console with failed connections.
  it('offers "Retry now" while its node is down and logs the retries as one counted line', async () => {
    await node.kill('SIGKILL');
    await expect.poll(() => laptop.getByTestId('retry-now').count(), WAIT).toBe(1);
    const retries = page.getByTestId('log-item').filter({ hasText: 'Laptop lost its connection, reconnecting' });
    await expect.poll(() => retries.locator('[data-testid="log-count"]').count(), WAIT).toBe(1);
    expect(await retries.count()).toBe(1);
    // Nobody is online in the laptop's list while it cannot reach a node.
    expect(await laptop.locator('[data-testid="device-row"][data-online="true"]').count()).toBe(0);
    await node.restart();
    // The button skips what is left of the backoff; the client may also have got there on its own meanwhile.
    const retry = laptop.getByTestId('retry-now');
    if ((await retry.count()) > 0) await retry.click({ timeout: 5_000 }).catch(() => undefined);
    await expect.poll(() => laptop.getAttribute('data-status'), WAIT).toBe('connected');
    await expect.poll(() => laptop.getByTestId('retry-now').count(), WAIT).toBe(0);
  });
});

