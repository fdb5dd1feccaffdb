/**
 * What a store holds of one user, read the slow honest way (SCAN), for tests that check an erase or an expiry
 * left nothing behind: every key whose name contains the user id, and the user's members of the shared
 * presence index (`{presence}`, a zset of `<userId>\n<deviceId>` entries).
 */
import type { Redis } from 'ioredis';

/** Every key matching `pattern` on one Redis (a Cluster's primaries are scanned one by one). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', '1000');
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** The user's entries of the presence index, shown as `{presence} <member>`. */
export async function presenceOf(redis: Pick<Redis, 'zrange'>, userId: string): Promise<string[]> {
  const members = await redis.zrange('{presence}', '0', '-1');
  return members.filter((m) => m.startsWith(`${userId}\n`)).map((m) => `{presence} ${m}`);
}

/** Keys with the user id anywhere in their name plus the presence entries, on a single Redis. */
export async function keysOfUser(redis: Redis, userId: string): Promise<string[]> {
  return [...(await scanKeys(redis, `*${userId}*`)), ...(await presenceOf(redis, userId))];
}
