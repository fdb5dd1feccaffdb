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
  /** The gateway node it went through. */
  node?: string;
}

export const LOG_LIMIT = 60;

function nextId(prefix: string, at: number): string {
  return `${prefix}-${at}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Adds a committed change once, however many frames report it (the maker sees it in its ack, the
 * other device as a push). Keyed by epoch and version.
 */
export function addChange(log: readonly LogEntry[], change: Change, context: { device: string; node: string | undefined; at?: number }): LogEntry[] {
  const id = `change-${change.epoch}-${change.version}`;
  if (log.some((e) => e.id === id)) return [...log];
  const entry: LogEntry = {
    id,
    at: context.at ?? change.at,
    kind: 'change',
    text: describeOp(change.op),
    version: change.version,
    device: context.device,
    ...(context.node ? { node: context.node } : {}),
  };
  return [entry, ...log].slice(0, LOG_LIMIT);
}

/** Adds a non-change event (a device connected, a node was killed). */
export function addEvent(log: readonly LogEntry[], kind: Exclude<LogKind, 'change'>, text: string, extra: { device?: string; node?: string; at?: number } = {}): LogEntry[] {
  const { at = Date.now(), ...rest } = extra;
  const entry: LogEntry = { id: nextId(kind, at), at, kind, text, ...rest };
  return [entry, ...log].slice(0, LOG_LIMIT);
}
