/** Pure view-model functions of the demo page: from SDK state to what a frame shows. */
import type { CartLine, Device, Op, WatchEntry } from '../../client-sdk/src/protocol/index.ts';
import { findProduct, findVideo, videoTitle } from './catalog.ts';
import { formatAgo, formatDuration, formatPrice, percent, plural, remainingLabel } from './format.ts';

export interface CartLineView {
  sku: string;
  title: string;
  qty: number;
  unitLabel: string;
  lineTotalLabel: string;
  hue: number;
}

export interface CartSummary {
  lines: CartLineView[];
  /** Units in the cart (sum of quantities). */
  units: number;
  unitsLabel: string;
  totalLabel: string;
  empty: boolean;
}

export function cartSummary(items: readonly CartLine[], totalCents: number): CartSummary {
  const lines = items.map((line) => ({
    sku: line.sku,
    title: line.title,
    qty: line.qty,
    unitLabel: formatPrice(line.priceCents),
    lineTotalLabel: formatPrice(line.priceCents * line.qty),
    hue: findProduct(line.sku)?.hue ?? 210,
  }));
  const units = items.reduce((sum, line) => sum + line.qty, 0);
  return { lines, units, unitsLabel: plural(units, 'item'), totalLabel: formatPrice(totalCents), empty: items.length === 0 };
}

export interface ContinueCard {
  videoId: string;
  title: string;
  percent: number;
  positionLabel: string;
  remaining: string;
  /** Which device watched it last ("Laptop"). */
  from: string;
  hue: number;
}

/** "Continue watching": unfinished videos, newest first (the SDK already orders them), at most `limit`. */
export function continueWatchingCards(
  entries: readonly WatchEntry[],
  deviceLabel: (deviceId: string) => string,
  limit = 4,
): ContinueCard[] {
  return entries.slice(0, limit).map((entry) => ({
    videoId: entry.videoId,
    title: videoTitle(entry.videoId),
    percent: percent(entry.positionSec, entry.durationSec),
    positionLabel: formatDuration(entry.positionSec),
    remaining: remainingLabel(entry.positionSec, entry.durationSec),
    from: deviceLabel(entry.deviceId),
    hue: findVideo(entry.videoId)?.hue ?? 210,
  }));
}

/** The SDK's connection statuses (kept as strings here so this module stays free of the client). */
export type ConnectionStatus = 'connecting' | 'connected' | 'offline' | 'unauthorized' | 'closed';
export type Tone = 'ok' | 'busy' | 'off' | 'bad';

export interface StatusView {
  label: string;
  tone: Tone;
  /** One line under the label: where it is connected, or why not. */
  detail: string;
  pendingLabel: string;
}

export function statusView(input: { status: ConnectionStatus; nodeId: string | null; pending: number; manualOffline: boolean }): StatusView {
  const pendingLabel = input.pending === 0 ? 'nothing pending' : `${plural(input.pending, 'change')} pending`;
  switch (input.status) {
    case 'connected':
      return { label: 'Live', tone: 'ok', detail: `via ${input.nodeId ?? 'a node'}`, pendingLabel };
    case 'connecting':
      return { label: 'Connecting', tone: 'busy', detail: 'looking for a node', pendingLabel };
    case 'offline':
      return input.manualOffline
        ? { label: 'Offline', tone: 'off', detail: 'changes wait in the outbox', pendingLabel }
        : { label: 'Reconnecting', tone: 'busy', detail: 'connection lost, retrying', pendingLabel };
    case 'unauthorized':
      return { label: 'Signed out', tone: 'bad', detail: 'token refused', pendingLabel };
    case 'closed':
      return { label: 'Closed', tone: 'off', detail: 'client closed', pendingLabel };
  }
}

/** Short name of a device for the log and the cards: the frame's label, else the device list's name. */
export function deviceLabeler(frames: ReadonlyMap<string, string>, devices: readonly Device[]): (deviceId: string) => string {
  return (deviceId) => frames.get(deviceId) ?? devices.find((d) => d.deviceId === deviceId)?.name ?? deviceId;
}

/** What a committed change did, in words. */
export function describeOp(op: Op): string {
  switch (op.type) {
    case 'cart:line': {
      const title = op.line?.title ?? findProduct(op.sku)?.title ?? op.sku;
      return op.line ? `Cart: ${title} × ${op.line.qty}` : `Cart: removed ${title}`;
    }
    case 'cart:clear':
      return 'Cart: cleared';
    case 'watch': {
      const e = op.entry;
      const done = e.completed ? ' · finished' : '';
      return `Watch: ${videoTitle(e.videoId)} at ${formatDuration(e.positionSec)} (${percent(e.positionSec, e.durationSec)}%)${done}`;
    }
    case 'watch:remove':
      return `Watch: removed ${videoTitle(op.videoId)}`;
    case 'cart:freeze':
      return 'Cart: locked for checkout';
    case 'cart:unfreeze':
      return op.cleared ? 'Cart: checkout completed' : 'Cart: checkout cancelled';
    case 'merge':
      return `Cart: guest cart merged (${op.cart.length} lines)`;
    case 'noop':
      return 'No change (stale or duplicate request)';
  }
}

export interface DeviceRow {
  deviceId: string;
  label: string;
  kind: Device['kind'];
  online: boolean;
  /** "online via node-2" or "offline · seen 3 min ago". */
  detail: string;
}

/**
 * The user's device list, online first, then most recently seen. The list is the server's word as of the last
 * connection: while this device is not connected it shows itself offline and nobody else as online (it cannot know).
 */
export function deviceRows(
  devices: readonly Device[],
  labelOf: (deviceId: string) => string,
  now: number,
  viewer: { self: string; connected: boolean } = { self: '', connected: true },
): DeviceRow[] {
  const rows = devices.map((d) => {
    const base = { deviceId: d.deviceId, label: labelOf(d.deviceId), kind: d.kind, lastSeen: d.lastSeen };
    if (viewer.connected) {
      return { ...base, online: d.online, detail: d.online ? `online via ${d.nodeId || '?'}` : `offline · seen ${formatAgo(d.lastSeen, now)}` };
    }
    if (d.deviceId === viewer.self) return { ...base, online: false, detail: 'offline · changes wait in the outbox' };
    return { ...base, online: false, detail: d.online ? 'unknown while this device is offline' : `offline · seen ${formatAgo(d.lastSeen, now)}` };
  });
  return rows
    .sort((a, b) => Number(b.online) - Number(a.online) || b.lastSeen - a.lastSeen)
    .map(({ lastSeen: _lastSeen, ...row }) => row);
}
