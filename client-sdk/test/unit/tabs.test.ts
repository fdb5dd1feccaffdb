import { describe, expect, it } from 'vitest';
import { FromLeader, TAB_CALLS, ToLeader, type FromLeader as FromLeaderMessage, type TabState, type ToLeader as ToLeaderMessage } from '../../src/tabs/messages.ts';
import { tabPlatform } from '../../src/tabs/platform.ts';
import { createTabProxy } from '../../src/tabs/tab-proxy.ts';

const state = (over: Partial<TabState> = {}): TabState => ({
  connection: { status: 'connected', url: 'http://gw', nodeId: 'n1' },
  deviceId: 'browser',
  pendingCount: 0,
  version: 3,
  epoch: 'e1',
  clockOffsetMs: 0,
  cart: { items: [{ sku: 'mug', title: 'Mug', priceCents: 900, qty: 2 }], version: 3 },
  frozen: null,
  watch: { entries: [], version: 0 },
  devices: [],
  ...over,
});

describe('tab messages', () => {
  it('accepts what a leader and a tab send', () => {
    expect(FromLeader.safeParse({ t: 'state', host: 'h1', state: state() }).success).toBe(true);
    expect(FromLeader.safeParse({ t: 'reply', host: 'h1', tab: 'a', id: 'a-1', result: { ok: true, value: { version: 4, seq: 9, duplicate: false } } }).success).toBe(true);
    expect(ToLeader.safeParse({ t: 'call', tab: 'a', id: 'a-1', method: 'cart.add', args: [{ sku: 'mug' }] }).success).toBe(true);
  });

  it('refuses unknown methods, unknown fields, bad payload parts and oversized lists', () => {
    expect(ToLeader.safeParse({ t: 'call', tab: 'a', id: 'a-1', method: 'close', args: [] }).success).toBe(false);
    expect(ToLeader.safeParse({ t: 'hello', tab: 'a', extra: 1 }).success).toBe(false);
    expect(ToLeader.safeParse({ t: 'call', tab: 'a', id: 'a-1', method: 'cart.clear', args: [1, 2, 3, 4, 5] }).success).toBe(false);
    expect(FromLeader.safeParse({ t: 'state', host: 'h1', state: state({ cart: { items: [{ sku: 'mug', qty: -1 }], version: 3 } as never }) }).success).toBe(false);
    expect(FromLeader.safeParse({ t: 'state', host: '', state: state() }).success).toBe(false);
    expect(FromLeader.safeParse({ t: 'reply', host: 'h', tab: 'a', id: '1', result: { ok: false, error: { code: 'nope', message: '' } } }).success).toBe(false);
    expect(FromLeader.safeParse('{"t":"state"}').success).toBe(false);
  });

  it('checks the arguments of each call by position', () => {
    expect(TAB_CALLS['cart.setQuantity'].safeParse(['mug', 2]).success).toBe(true);
    expect(TAB_CALLS['cart.setQuantity'].safeParse(['mug', '2']).success).toBe(false);
    expect(TAB_CALLS['watch.report'].safeParse(['v', 1, 100]).success).toBe(true);
    expect(TAB_CALLS['watch.report'].safeParse(['v', 1, 100, { event: 'pause' }]).success).toBe(true);
    expect(TAB_CALLS['watch.report'].safeParse(['v', 1]).success).toBe(false);
    expect(TAB_CALLS.signOut.safeParse([]).success).toBe(true);
    expect(TAB_CALLS.signOut.safeParse([{ everywhere: 'yes' }]).success).toBe(false);
  });
});

describe('tab platform', () => {
  it('is there only with a document, Web Locks and BroadcastChannel', () => {
    const locks = { request: async () => undefined };
    expect(tabPlatform({})).toBeNull();
    // Node has BroadcastChannel but no tabs.
    expect(tabPlatform({ BroadcastChannel, navigator: { locks } })).toBeNull();
    expect(tabPlatform({ document: {}, BroadcastChannel })).toBeNull();
    expect(tabPlatform({ document: {}, BroadcastChannel, navigator: { locks } })).not.toBeNull();
  });
});

describe('a follower tab', () => {
  function follower() {
    const sent: ToLeaderMessage[] = [];
    const proxy = createTabProxy({
      tabId: 'tab-a',
      post: (message) => sent.push(message),
      role: () => 'follower',
      initial: { status: 'connecting', url: 'http://gw', attempt: 0 },
      close: async () => {},
    });
    return { proxy, sent, client: proxy.client };
  }
  const receive = (proxy: ReturnType<typeof follower>['proxy'], message: FromLeaderMessage) => proxy.receive(message);

  it('shows the leader state, keeping each view until its content changes', () => {
    const { proxy, client } = follower();
    receive(proxy, { t: 'state', host: 'h1', state: state() });
    const cart = client.cart.get();
    expect(cart.items.map((l) => [l.sku, l.qty])).toEqual([['mug', 2]]);
    expect(cart.totalCents).toBe(1800);
    expect(client.status).toBe('connected');
    receive(proxy, { t: 'state', host: 'h1', state: state({ pendingCount: 1 }) });
    expect(client.cart.get()).toBe(cart);
    expect(client.pendingCount).toBe(1);
  });

  it('holds calls until a leader is known, then sends them; after a handover it follows stored ones by seq', async () => {
    const { proxy, sent, client } = follower();
    const first = client.cart.add({ sku: 'mug', title: 'Mug', priceCents: 900 });
    const second = client.cart.remove('tea');
    expect(sent).toEqual([]);
    receive(proxy, { t: 'state', host: 'h1', state: state() });
    expect(sent.map((m) => m.t)).toEqual(['call', 'call']);
    const [call1, call2] = sent.splice(0) as Array<Extract<ToLeaderMessage, { t: 'call' }>>;
    receive(proxy, { t: 'stored', host: 'h1', tab: 'tab-a', id: call1?.id ?? '', seq: 41 });

    // The leader's tab went away: the next leader gets a follow for the stored call and the other call again.
    receive(proxy, { t: 'state', host: 'h2', state: state() });
    expect(sent).toEqual([
      { t: 'follow', tab: 'tab-a', id: call1?.id, seq: 41 },
      { t: 'call', tab: 'tab-a', id: call2?.id, method: 'cart.remove', args: ['tea'] },
    ]);
    // The old leader's late messages are ignored.
    receive(proxy, { t: 'reply', host: 'h1', tab: 'tab-a', id: call1?.id ?? '', result: { ok: false, error: { code: 'unavailable', message: 'late' } } });
    receive(proxy, { t: 'reply', host: 'h2', tab: 'tab-a', id: call1?.id ?? '', result: { ok: true, value: { version: 5, seq: 41, duplicate: false } } });
    receive(proxy, { t: 'reply', host: 'h2', tab: 'tab-a', id: call2?.id ?? '', result: { ok: false, error: { code: 'not_found', message: 'no line tea' } } });
    await expect(first).resolves.toEqual({ version: 5, seq: 41, duplicate: false });
    await expect(second).rejects.toMatchObject({ code: 'not_found' });
  });

  it('passes a wake (network or page back) to the leader once one is known', () => {
    const { proxy, sent } = follower();
    proxy.wake();
    expect(sent).toEqual([]);
    receive(proxy, { t: 'state', host: 'h1', state: state() });
    proxy.wake();
    expect(sent).toEqual([expect.objectContaining({ t: 'call', method: 'wake', args: [] })]);
  });

  it('asks the leader for a handoff and hears a handoff to this device', async () => {
    const { proxy, sent, client } = follower();
    receive(proxy, { t: 'state', host: 'h1', state: state() });
    const heard: unknown[] = [];
    client.playback.onHandoff((event) => heard.push(event));
    const handoff = client.playback.handoff('laptop', { videoId: 'film-7', positionSec: 12.5 });
    const call = sent.at(-1) as Extract<ToLeaderMessage, { t: 'call' }>;
    expect(call).toMatchObject({ method: 'playback.handoff', args: ['laptop', { videoId: 'film-7', positionSec: 12.5 }] });
    expect(TAB_CALLS['playback.handoff'].safeParse(call.args).success).toBe(true);
    receive(proxy, { t: 'reply', host: 'h1', tab: 'tab-a', id: call.id, result: { ok: true } });
    await expect(handoff).resolves.toEqual({ deliveredAt: expect.any(Number) });
    const event = { fromDeviceId: 'phone', videoId: 'film-8', positionSec: 3, at: 1000 };
    expect(FromLeader.safeParse({ t: 'event', host: 'h1', event: { kind: 'handoff', event } }).success).toBe(true);
    receive(proxy, { t: 'event', host: 'h1', event: { kind: 'handoff', event } });
    expect(heard).toEqual([event]);
  });

  it('ignores replies meant for another tab and rejects what is open when closed', async () => {
    const { proxy, sent, client } = follower();
    receive(proxy, { t: 'state', host: 'h1', state: state() });
    const pending = client.cart.clear();
    const call = sent.at(-1) as Extract<ToLeaderMessage, { t: 'call' }>;
    receive(proxy, { t: 'reply', host: 'h1', tab: 'tab-b', id: call.id, result: { ok: true } });
    await client.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    expect(client.status).toBe('closed');
    await expect(client.cart.clear()).rejects.toMatchObject({ code: 'closed' });
  });
});
