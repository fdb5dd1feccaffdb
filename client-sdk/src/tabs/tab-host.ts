import { reconnectsOnWake } from '../connection/reconnect-policy.js';
import { isSyncClientError } from '../errors.js';
import type { Outbox, OutboxEntry } from '../outbox.js';
import type { MutationAck, SyncClient } from '../types.js';
import { TAB_CALLS, type FromLeader, type TabCallMethod, type TabError, type TabState, type ToLeader } from './messages.js';

export interface TabHostDeps {
  /** The leader's own client (it holds the connection). */
  client: SyncClient;
  outbox: Outbox;
  /** This leader instance, so tabs notice a handover. */
  hostId: string;
  /** To every tab, this one included. */
  post(message: FromLeader): void;
}

export interface TabHost {
  receive(message: ToLeader): void;
  close(): void;
}

const toTabError = (error: unknown): TabError =>
  isSyncClientError(error)
    ? { code: error.code, message: error.message.slice(0, 2000) }
    : { code: 'internal', message: error instanceof Error ? error.message.slice(0, 2000) : 'failed' };

function stateOf(client: SyncClient): TabState {
  const connection = client.connection;
  return {
    connection: connection.status === 'unauthorized' ? { status: 'unauthorized', error: toTabError(connection.error) } : connection,
    deviceId: client.deviceId,
    pendingCount: client.pendingCount,
    version: client.version,
    epoch: client.epoch,
    clockOffsetMs: client.clockOffsetMs,
    cart: { items: [...client.cart.get().items], version: client.cart.get().version },
    frozen: client.cart.frozen,
    watch: { entries: [...client.watch.view().entries.values()], version: client.watch.view().version },
    devices: [...client.devices.list()],
  };
}

function invoke(client: SyncClient, method: TabCallMethod, args: readonly unknown[]): Promise<unknown> | void {
  const a = args as never[];
  switch (method) {
    case 'cart.add':
      return client.cart.add(a[0] as never);
    case 'cart.setQuantity':
      return client.cart.setQuantity(a[0] as never, a[1] as never);
    case 'cart.remove':
      return client.cart.remove(a[0] as never);
    case 'cart.clear':
      return client.cart.clear();
    case 'watch.report':
      return client.watch.report(a[0] as never, a[1] as never, a[2] as never, a[3]);
    case 'watch.remove':
      return client.watch.remove(a[0] as never);
    case 'devices.signOut':
      return client.devices.signOut(a[0] as never);
    case 'playback.handoff':
      return client.playback.handoff(a[0] as never, a[1] as never);
    case 'goOffline':
      return client.goOffline();
    case 'goOnline':
      return client.goOnline();
    case 'reconnectNow':
      return client.reconnectNow();
    case 'wake':
      return reconnectsOnWake(client.connection) ? client.goOnline() : undefined;
    case 'signOut':
      return client.signOut(a[0]);
  }
}

const isAck = (value: unknown): value is MutationAck =>
  typeof value === 'object' && value !== null && typeof (value as MutationAck).version === 'number' && typeof (value as MutationAck).seq === 'number';

/**
 * The leader's side: runs the other tabs' calls on its client, tells them which stored mutation a call became
 * (so a later leader can answer for it), and mirrors its state and events to them.
 */
export function createTabHost(deps: TabHostDeps): TabHost {
  const { client, outbox, hostId, post } = deps;
  let lastState = '';
  let closed = false;
  // Calls an earlier leader queued, now answered from this outbox: seq → who asked.
  const followed = new Map<number, { tab: string; id: string }>();
  const refusals = new Map<number, TabError>();

  const sendState = (force = false) => {
    if (closed) return;
    const state = stateOf(client);
    const json = JSON.stringify(state);
    if (!force && json === lastState) return;
    lastState = json;
    post({ t: 'state', host: hostId, state });
  };
  const reply = (tab: string, id: string, result: { ok: true; value?: MutationAck } | { ok: false; error: TabError }) => {
    if (!closed) post({ t: 'reply', host: hostId, tab, id, result });
  };

  /**
   * On every outbox change, at once: an acknowledged entry is confirmed (dropped) in the same turn as its
   * ack. An entry that left unacknowledged was refused, and its error is reported after it left: that
   * answer waits for a microtask.
   */
  const settleFollowed = () => {
    const gone: number[] = [];
    for (const [seq, asker] of followed) {
      const entry = outbox.entries().find((e) => e.seq === seq);
      if (entry && entry.ackedVersion === null) continue;
      if (!entry) {
        gone.push(seq);
        continue;
      }
      followed.delete(seq);
      reply(asker.tab, asker.id, { ok: true, value: { version: entry.ackedVersion ?? client.version, seq, duplicate: false } });
    }
    if (gone.length > 0) {
      queueMicrotask(() => {
        for (const seq of gone) {
          const asker = followed.get(seq);
          if (!asker) continue;
          followed.delete(seq);
          const error = refusals.get(seq) ?? { code: 'unavailable', message: 'the change was dropped from the outbox' };
          reply(asker.tab, asker.id, { ok: false, error });
        }
      });
    }
  };

  const stops = [
    client.onStatus(() => sendState()),
    client.cart.subscribe(() => sendState()),
    client.watch.subscribe(() => sendState()),
    client.devices.subscribe(() => sendState()),
    client.onPendingCount(() => sendState()),
    client.onChange((event) => {
      // The state first: a tab's change listener may read the cart.
      sendState();
      if (!closed) post({ t: 'event', host: hostId, event: { kind: 'change', event } });
    }),
    client.onChangesLost((event) => {
      sendState();
      if (!closed) post({ t: 'event', host: hostId, event: { kind: 'lost', event: { ...event, changes: [...event.changes] } } });
    }),
    client.onError((error) => {
      const seq = error.mutation?.request.seq;
      if (seq !== undefined) refusals.set(seq, toTabError(error));
      if (refusals.size > 1000) refusals.delete(refusals.keys().next().value as number);
      if (!closed) post({ t: 'event', host: hostId, event: { kind: 'error', error: toTabError(error) } });
    }),
    client.playback.onHandoff((event) => {
      if (!closed) post({ t: 'event', host: hostId, event: { kind: 'handoff', event } });
    }),
    outbox.onChange(settleFollowed),
  ];

  const call = (tab: string, id: string, method: TabCallMethod, args: readonly unknown[]) => {
    const parsed = TAB_CALLS[method].safeParse(args);
    if (!parsed.success) return reply(tab, id, { ok: false, error: { code: 'bad_request', message: `${method}: arguments do not fit` } });
    const before = new Set<OutboxEntry>(outbox.entries());
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(invoke(client, method, args));
    } catch (error) {
      result = Promise.reject(error);
    }
    const added = outbox.entries().find((e) => !before.has(e));
    if (added) {
      void added.durable.then(() => {
        if (added.seq !== null && !closed) post({ t: 'stored', host: hostId, tab, id, seq: added.seq });
      });
    }
    result.then(
      (value) => {
        reply(tab, id, isAck(value) ? { ok: true, value } : { ok: true });
        if (method === 'signOut' && !closed) post({ t: 'event', host: hostId, event: { kind: 'signed-out' } });
      },
      (error: unknown) => reply(tab, id, { ok: false, error: toTabError(error) }),
    );
  };

  const follow = (tab: string, id: string, seq: number) => {
    const entry = outbox.entries().find((e) => e.seq === seq);
    if (entry && entry.ackedVersion === null) {
      followed.set(seq, { tab, id });
      return;
    }
    // Gone from the stored outbox: the earlier leader had it committed (its answer went down with that tab).
    const version = entry?.ackedVersion ?? client.version;
    reply(tab, id, { ok: true, value: { version, seq, duplicate: entry === undefined } });
  };

  return {
    receive(message) {
      if (closed) return;
      if (message.t === 'hello') sendState(true);
      else if (message.t === 'call') call(message.tab, message.id, message.method, message.args);
      else follow(message.tab, message.id, message.seq);
    },
    close() {
      closed = true;
      for (const stop of stops) stop();
    },
  };
}
