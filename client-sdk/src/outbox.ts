import { LIMITS, MUTATION_SCHEMAS, isMutationEvent, pushedBytes, type Mutation } from './protocol/index.js';
import type { MutationBody } from './state/mutation-body.js';
import type { KeyValueStore } from './storage/types.js';
import { createListeners } from './util/listeners.js';

/** A mutation on its way to the server. */
export interface OutboxEntry {
  readonly body: MutationBody;
  /** The device's sequence number (the opId with the deviceId); null until the stored outbox is loaded. */
  readonly seq: number | null;
  /** The version that includes it, once the server acknowledged it; it stays in the overlay until the state catches up. */
  readonly ackedVersion: number | null;
  /** Resolves once the entry, with its seq, is in storage. */
  readonly durable: Promise<void>;
}

interface MutableEntry extends OutboxEntry {
  seq: number | null;
  ackedVersion: number | null;
  written: boolean;
  markWritten: () => void;
}

interface OutboxRecord {
  v: 1;
  owner: string | null;
  nextSeq: number;
  pending: Mutation[];
}

export interface OutboxOptions {
  store: KeyValueStore;
  /** Storage key (read at load: the device id may only be known by then). */
  key: () => string;
  /**
   * The lowest seq to hand out when the outbox is loaded. Seeding from the clock keeps seqs rising even when
   * storage was wiped while the server still remembers this device's last seq (a lower seq would be taken
   * for a duplicate and silently skipped).
   */
  seqFloor: () => number;
  onStorageError: (error: unknown) => void;
}

export interface Outbox {
  /** Reads the stored outbox; entries added before it finished get their seqs after the stored ones. */
  load(): Promise<{ restored: number; dropped: number }>;
  add(body: MutationBody): OutboxEntry;
  /** The first unacknowledged entry whose seq is already stored (persisted BEFORE it may be sent). */
  next(): Promise<OutboxEntry | undefined>;
  /**
   * The unacknowledged entries from the head on, in seq order, as many as one `mutations:push` may carry
   * (LIMITS.pushMutations, LIMITS.pushBytes) and all already stored; empty when nothing is pending.
   */
  nextBatch(): Promise<OutboxEntry[]>;
  toMutation(entry: OutboxEntry): Mutation;
  /** The server committed these entries (the acks of one push): one change event, one write. */
  acknowledge(acks: ReadonlyArray<{ entry: OutboxEntry; version: number }>): void;
  /** The log shows our mutation `seq` committed at `version` (its ack was lost): settle it. */
  settleSeq(seq: number, version: number): OutboxEntry | undefined;
  /** Removes a refused entry (its local effect disappears: rollback). */
  remove(entry: OutboxEntry): void;
  /** Drops acknowledged entries the server state already includes. */
  confirm(serverVersion: number): void;
  /** Drops every acknowledged entry (after a snapshot of another epoch: versions are not comparable). */
  dropAcknowledged(): void;
  /** Removes everything; returns the entries that were not acknowledged. */
  clear(): OutboxEntry[];
  /** Entries in order, acknowledged ones included (the same array until the list changes). */
  entries(): readonly OutboxEntry[];
  readonly pendingCount: number;
  readonly owner: string | null;
  setOwner(owner: string): void;
  /** Resolves when everything is written. */
  flush(): Promise<void>;
  onChange(listener: () => void): () => void;
}

function parseRecord(raw: string | null): { record: OutboxRecord | null; dropped: number } {
  if (raw === null) return { record: null, dropped: 0 };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { record: null, dropped: 1 };
  }
  const candidate = value as Partial<OutboxRecord> | null;
  if (!candidate || candidate.v !== 1 || typeof candidate.nextSeq !== 'number' || !Array.isArray(candidate.pending)) {
    return { record: null, dropped: 1 };
  }
  const pending: Mutation[] = [];
  let dropped = 0;
  for (const item of candidate.pending as unknown[]) {
    const event = (item as { event?: unknown } | null)?.event;
    const ok = typeof event === 'string' && isMutationEvent(event) && MUTATION_SCHEMAS[event].safeParse((item as { request?: unknown }).request).success;
    if (ok) pending.push(item as Mutation);
    else dropped++;
  }
  const owner = typeof candidate.owner === 'string' ? candidate.owner : null;
  return { record: { v: 1, owner, nextSeq: candidate.nextSeq, pending }, dropped };
}

export function createOutbox(options: OutboxOptions): Outbox {
  let list: MutableEntry[] = [];
  let snapshot: readonly OutboxEntry[] = [];
  let nextSeq: number | null = null;
  let owner: string | null = null;
  let writing: Promise<void> | null = null;
  let dirty = false;
  // Acknowledged entries still in the stored record: written with the next write, or by flush. A crash before
  // then only makes the restarted app resend them, and the server answers a resent seq as a duplicate.
  let staleAcks = false;
  let loadedSignal: () => void = () => {};
  const loaded = new Promise<void>((resolve) => (loadedSignal = resolve));
  const changes = createListeners<void>();

  const changed = () => {
    snapshot = [...list];
    changes.emit();
  };

  const makeEntry = (body: MutationBody, seq: number | null, written: boolean): MutableEntry => {
    let markWritten: () => void = () => {};
    const durable = new Promise<void>((resolve) => (markWritten = resolve));
    const entry: MutableEntry = { body, seq, ackedVersion: null, durable, written, markWritten };
    if (written) markWritten();
    return entry;
  };

  const toMutation = (entry: OutboxEntry): Mutation => {
    if (entry.seq === null) throw new Error('outbox entry has no seq yet');
    return { event: entry.body.event, request: { ...entry.body.request, seq: entry.seq } } as Mutation;
  };

  const record = (): OutboxRecord => ({
    v: 1,
    owner,
    nextSeq: nextSeq ?? 1,
    pending: list.filter((e) => e.seq !== null && e.ackedVersion === null).map(toMutation),
  });

  const persist = (): Promise<void> => {
    if (nextSeq === null) return loaded.then(persist);
    dirty = true;
    staleAcks = false;
    writing ??= (async () => {
      try {
        // Whatever else changes in this task (the other acks of a push, a confirm) goes into the same write.
        await null;
        while (dirty) {
          dirty = false;
          const included = list.filter((e) => e.seq !== null && !e.written);
          try {
            await options.store.set(options.key(), JSON.stringify(record()));
          } catch (error) {
            // Sending beats blocking the app on a broken store; the error is reported and durability is lost.
            options.onStorageError(error);
          }
          for (const entry of included) {
            entry.written = true;
            entry.markWritten();
          }
        }
      } finally {
        writing = null;
      }
    })();
    return writing;
  };

  const assignSeqs = () => {
    if (nextSeq === null) return;
    for (const entry of list) if (entry.seq === null) entry.seq = nextSeq++;
  };

  const next = async (): Promise<OutboxEntry | undefined> => {
    await loaded;
    const head = list.find((e) => e.ackedVersion === null);
    if (!head) return undefined;
    await head.durable;
    return list.includes(head) && head.ackedVersion === null ? head : undefined;
  };

  const detach = (entry: OutboxEntry): boolean => {
    const index = list.indexOf(entry as MutableEntry);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  };

  return {
    async load() {
      let raw: string | null = null;
      try {
        raw = await options.store.get(options.key());
      } catch (error) {
        options.onStorageError(error);
      }
      const { record: stored, dropped } = parseRecord(raw);
      owner = stored?.owner ?? owner;
      const restored = (stored?.pending ?? []).map((m) => makeEntry({ event: m.event, request: m.request } as MutationBody, m.request.seq, true));
      const highest = restored.reduce((max, e) => Math.max(max, (e.seq ?? 0) + 1), 1);
      nextSeq = Math.max(stored?.nextSeq ?? 1, highest, options.seqFloor());
      list = [...restored, ...list];
      assignSeqs();
      loadedSignal();
      changed();
      await persist();
      return { restored: restored.length, dropped };
    },
    add(body) {
      const entry = makeEntry(body, null, false);
      list.push(entry);
      assignSeqs();
      changed();
      if (nextSeq !== null) void persist();
      return entry;
    },
    next,
    async nextBatch() {
      const head = await next();
      if (!head) return [];
      const batch: OutboxEntry[] = [head];
      // The JSON of the array: brackets, the items and a comma between each two.
      let bytes = 2 + pushedBytes(toMutation(head));
      for (let i = list.indexOf(head as MutableEntry) + 1; i < list.length && batch.length < LIMITS.pushMutations; i++) {
        const entry = list[i] as MutableEntry;
        if (entry.ackedVersion !== null) continue;
        if (!entry.written) break;
        bytes += 1 + pushedBytes(toMutation(entry));
        if (bytes > LIMITS.pushBytes) break;
        batch.push(entry);
      }
      return batch;
    },
    toMutation,
    acknowledge(acks) {
      let moved = false;
      for (const { entry, version } of acks) {
        const target = entry as MutableEntry;
        if (target.ackedVersion !== null || !list.includes(target)) continue;
        target.ackedVersion = version;
        moved = true;
      }
      if (!moved) return;
      changed();
      staleAcks = true;
    },
    settleSeq(seq, version) {
      const entry = list.find((e) => e.seq === seq && e.ackedVersion === null);
      if (!entry) return undefined;
      entry.ackedVersion = version;
      changed();
      void persist();
      return entry;
    },
    remove(entry) {
      if (!detach(entry)) return;
      changed();
      void persist();
    },
    confirm(serverVersion) {
      const before = list.length;
      list = list.filter((e) => e.ackedVersion === null || e.ackedVersion > serverVersion);
      if (list.length !== before) changed();
    },
    dropAcknowledged() {
      const before = list.length;
      list = list.filter((e) => e.ackedVersion === null);
      if (list.length !== before) changed();
    },
    clear() {
      const pending = list.filter((e) => e.ackedVersion === null);
      list = [];
      changed();
      void persist();
      return pending;
    },
    entries: () => snapshot,
    get pendingCount() {
      let count = 0;
      for (const entry of list) if (entry.ackedVersion === null) count++;
      return count;
    },
    get owner() {
      return owner;
    },
    setOwner(next) {
      if (owner === next) return;
      owner = next;
      void persist();
    },
    async flush() {
      if (staleAcks) await persist();
      while (writing) await writing;
    },
    onChange: (listener) => changes.add(listener),
  };
}
