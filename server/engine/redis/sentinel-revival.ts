import type { Redis } from 'ioredis';

/**
 * ioredis (6.0) ends a Sentinel-managed client for good when a failover notice arrives while it is already
 * reconnecting: the failover detector of the lost connection is still subscribed to the Sentinels, its
 * `+switch-master` calls the connector's disconnect() in the middle of the new connect, that connect rejects
 * ("Connection is closed") and the client goes from `connecting` straight to `end`, with no retry. This is
 * exactly a kill of the primary: every connection is reconnecting when the Sentinels announce the promotion.
 * A node whose subscriber ended that way would never receive a push again (its devices silently fall
 * behind), one whose command connection ended would answer `unavailable` forever.
 *
 * So: an `end` not asked for by the owner (disconnect() without reconnect, or QUIT) starts the client again
 * after `delayMs`. The ioredis client keeps its previous subscriptions, which it restores on the next 'ready'.
 */
export function reviveEndedSentinelClient(client: Redis, delayMs: () => number, onError: (err: Error) => void): void {
  let closing = false;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  const quit: unknown = Reflect.get(client, 'quit');
  if (typeof quit === 'function') {
    Reflect.set(client, 'quit', (...args: unknown[]): unknown => {
      closing = true;
      return Reflect.apply(quit, client, args);
    });
  }
  client.on('end', () => {
    if (closing) return;
    onError(new Error('the Sentinel connection ended during a failover; connecting again'));
    const timer = setTimeout(() => {
      if (closing || client.status !== 'end') return;
      client.connect().catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
    }, delayMs());
    timer.unref();
  });
}
