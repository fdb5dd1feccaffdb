/** The page's live event log: a bounded, newest-first list fed by both frames and the cluster panel. */
import type { Change } from '../../client-sdk/src/protocol/index.ts';
import { describeOp } from './view-model.ts';

export type LogKind = 'change' | 'connection' | 'cluster' | 'error';

export interface LogEntry {
  id: string;
  at: number;
  kind: LogKind;
  text: string;
  /** The user's version after the change. */
  version?: number;
  /** The device that made the change or had the event. */
  device?: string;
  /** The gateway node the change was committed through (or the event happened on). */
  node?: string;
  /** Where the change arrived on other devices: "Laptop via node-3". */
  deliveries?: string[];
  /** Watch progress of one video from one device: consecutive ones are merged into one line. */
  group?: string;
  /** Ids of the earlier changes merged into this line. */
  merged?: string[];
  /** Events that repeat (a device retrying) carry a key: a repeat updates one line and counts instead of adding one. */
  repeatKey?: string;
  /** How many times this line's event happened (when more than once). */
  count?: number;
}

/** How far back a repeat is looked for: two devices retrying at once alternate their lines. */
const REPEAT_WINDOW = 4;

export const LOG_LIMIT = 60;

/** How one frame saw a committed change (mirrors the SDK's change event). */
export interface ChangeSighting {
  /** Label of the device that made the change. */
  maker: string;
  /** Label of the frame that saw it. */
  receiver: string;
  /** The frame made this change. */
  own: boolean;
  /** `ack` of our own mutation, `push` from another device, `sync` while catching up. */
  source: 'ack' | 'push' | 'sync';
  /** The node the seeing frame is connected to. */
  node: string | null;
}

function nextId(prefix: string, at: number): string {
  return `${prefix}-${at}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Records a committed change once, however many frames see it, keyed by epoch and version: the maker's
 * ack tells the node it was committed through, each other frame adds where it was delivered.
 */
export function recordChange(log: readonly LogEntry[], change: Change, seen: ChangeSighting): LogEntry[] {
  const id = `change-${change.epoch}-${change.version}`;
  const existing = log.find((e) => e.id === id || e.merged?.includes(id));
  if (existing) {
    const updated = see(existing, seen);
    return updated === existing ? [...log] : log.map((e) => (e === existing ? updated : e));
  }
  const group = change.op.type === 'watch' ? `watch:${change.op.entry.videoId}:${change.deviceId}` : undefined;
  const fresh: LogEntry = {
    id,
    at: change.at,
    kind: 'change',
    text: describeOp(change.op),
    version: change.version,
    device: seen.maker,
    ...(group ? { group } : {}),
  };
  const head = log[0];
  // A playing video reports every second or two: keep one moving line for it instead of a flood.
  if (group && head?.group === group && (head.version ?? 0) < change.version) {
    const merged: LogEntry = { ...see(fresh, seen), merged: [...(head.merged ?? []), head.id] };
    if (head.node && !merged.node) merged.node = head.node;
    return [merged, ...log.slice(1)];
  }
  return [see(fresh, seen), ...log].slice(0, LOG_LIMIT);
}

/** Adds what one frame's sighting tells: the commit node (maker's ack) or a delivery (other frames). */
function see(entry: LogEntry, seen: ChangeSighting): LogEntry {
  if (seen.own) return seen.source === 'ack' && seen.node && entry.node !== seen.node ? { ...entry, node: seen.node } : entry;
  const deliveries = entry.deliveries ?? [];
  if (deliveries.some((d) => d.startsWith(`${seen.receiver} `))) return entry;
  const delivery = `${seen.receiver}${seen.source === 'sync' ? ' (caught up)' : ''} via ${seen.node ?? '?'}`;
  return { ...entry, deliveries: [...deliveries, delivery] };
}

/**
 * Adds a non-change event (a device connected, a node was killed). With `repeatKey`, an event that repeats one
 * among the newest few lines moves that line to the top with its count raised instead of adding another.
 */
export function addEvent(
  log: readonly LogEntry[],
  kind: Exclude<LogKind, 'change'>,
  text: string,
  extra: { device?: string; node?: string; at?: number; repeatKey?: string } = {},
): LogEntry[] {
  const { at = Date.now(), ...rest } = extra;
  if (rest.repeatKey) {
    const index = log.slice(0, REPEAT_WINDOW).findIndex((e) => e.repeatKey === rest.repeatKey && e.text === text);
    const earlier = log[index];
    if (earlier) {
      const repeated: LogEntry = { ...earlier, ...rest, at, count: (earlier.count ?? 1) + 1 };
      return [repeated, ...log.slice(0, index), ...log.slice(index + 1)];
    }
  }
  const entry: LogEntry = { id: nextId(kind, at), at, kind, text, ...rest };
  return [entry, ...log].slice(0, LOG_LIMIT);
}
