import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { toSyncError } from '../../server/engine/redis/redis-errors.ts';
import { SyncError } from '../../server/errors.ts';
import { startRedis, type RedisServer } from '../support/redis-server.ts';

const prelude = readFileSync(new URL('../../server/engine/redis/scripts/prelude.lua', import.meta.url), 'utf8');

describe('redis script errors', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** What the engine makes of the error a real Redis answers to `body` run after the shared prelude. */
  const thrownBy = async (body: string): Promise<Error> => {
    try {
      await redis.eval(`${prelude}\n${body}`, 0);
    } catch (err) {
      return toSyncError(err);
    }
    throw new Error('the script did not fail');
  };

  it("carries a script's refusal code and message intact, spaces, quotes and newlines included", async () => {
    const err = await thrownBy(`return refusal('not_found', 'no cart line for "a b"\\nnext')`);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ code: 'not_found', message: 'no cart line for "a b"\nnext' });
  });

  it('answers internal, without the text, for a reply error that is not a refusal', async () => {
    const err = await thrownBy(`return redis.error_reply('bad_request secret detail')`);
    expect(err).toMatchObject({ code: 'internal' });
    expect(err.message).not.toContain('secret');
  });

  it('answers internal for a refusal whose code is not a protocol code', async () => {
    const err = await thrownBy(`return refusal('shrug', 'secret detail')`);
    expect(err).toMatchObject({ code: 'internal' });
    expect(err.message).not.toContain('secret');
  });

  it('answers internal for a script that crashed', async () => {
    const err = await thrownBy(`local t = nil; return t.x`);
    expect(err).toMatchObject({ code: 'internal', message: 'internal error' });
  });

  it('answers unavailable for the replies of a Redis that cannot serve right now', async () => {
    expect(await thrownBy(`return redis.error_reply('LOADING Redis is loading the dataset in memory')`)).toMatchObject({ code: 'unavailable' });
    expect(toSyncError(new Error('Connection is closed.'))).toMatchObject({ code: 'unavailable' });
  });
});
