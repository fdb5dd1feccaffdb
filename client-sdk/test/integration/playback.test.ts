import { describe, expect, it } from 'vitest';
import type { HandoffEvent, SyncClient } from '../../src/index.ts';
import { SyncClientError } from '../../src/errors.ts';
import { connect, send } from '../../../test/gateway/helpers.ts';
import { mintToken } from '../../../test/support/gateway-process.ts';
import { eventually, newUser, tokens, useCluster } from '../support/cluster.ts';

// Two real gateway processes on one real Redis (the sharded adapter), real SDK clients over socket.io.
const { clients, url } = useCluster({ nodes: 2 });

function received(client: SyncClient): HandoffEvent[] {
  const seen: HandoffEvent[] = [];
  client.playback.onHandoff((event) => seen.push(event));
  return seen;
}

async function refusalOf(promise: Promise<unknown>): Promise<SyncClientError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SyncClientError) return err;
    throw err;
  }
  throw new Error('was not refused');
}

describe('playback handoff', () => {
  it('reaches the one target device across nodes, and no other device of the user or of another user', async () => {
    const user = newUser();
    const stranger = newUser('stranger');
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', deviceKind: 'phone' });
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop', deviceKind: 'laptop' });
    const tv = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'tv', deviceKind: 'tv' });
    // Another user's device with the very same device id, on the target's node.
    const theirs = clients.create({ url: url(2), getToken: tokens(stranger), deviceId: 'laptop' });
    const theirPhone = clients.create({ url: url(1), getToken: tokens(stranger), deviceId: 'phone' });
    await Promise.all([phone.ready, laptop.ready, tv.ready, theirs.ready, theirPhone.ready]);
    expect([phone.nodeId, laptop.nodeId]).toEqual(['node-1', 'node-2']);
    const seen = { phone: received(phone), laptop: received(laptop), tv: received(tv), theirs: received(theirs) };

    const answer = await phone.playback.handoff('laptop', { videoId: 'film-7', positionSec: 754.5 });
    expect(answer.deliveredAt).toBeGreaterThan(0);
    // The answer comes after the target's client took it: it has the event already.
    expect(seen.laptop).toEqual([{ fromDeviceId: 'phone', videoId: 'film-7', positionSec: 754.5, at: expect.any(Number) }]);

    // One push per socket arrives in order: had the tv (or the stranger) got the first one, it would be first.
    await phone.playback.handoff('tv', { videoId: 'film-8', positionSec: 1 });
    await theirPhone.playback.handoff('laptop', { videoId: 'their-film', positionSec: 2 });
    expect(seen.tv.map((e) => e.videoId)).toEqual(['film-8']);
    expect(seen.theirs.map((e) => e.videoId)).toEqual(['their-film']);
    expect(seen.laptop.map((e) => e.videoId)).toEqual(['film-7']);
    expect(seen.phone).toEqual([]);
  }, 60_000);

  it('refuses an offline or unknown target with not_found, itself and bad arguments with bad_request', async () => {
    const user = newUser();
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone' });
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop' });
    await Promise.all([phone.ready, laptop.ready]);
    await laptop.close();
    await eventually(() => expect(phone.devices.list().find((d) => d.deviceId === 'laptop')?.online).toBe(false));

    const offline = await refusalOf(phone.playback.handoff('laptop', { videoId: 'film-7', positionSec: 10 }));
    expect(offline).toMatchObject({ code: 'not_found', message: expect.stringMatching(/offline/) });
    expect(await refusalOf(phone.playback.handoff('fridge', { videoId: 'film-7', positionSec: 10 }))).toMatchObject({ code: 'not_found' });
    expect(await refusalOf(phone.playback.handoff('phone', { videoId: 'film-7', positionSec: 10 }))).toMatchObject({ code: 'bad_request' });
    expect(await refusalOf(phone.playback.handoff('laptop', { videoId: 'bad id', positionSec: 10 }))).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/videoId/),
    });
  }, 60_000);

  it('validates what a raw socket sends and takes a rate token per handoff', async () => {
    const user = newUser();
    const socket = await connect(url(1), { token: await mintToken({ userId: user, deviceId: 'phone' }), deviceId: 'phone' });
    try {
      const bad = [{ deviceId: 'laptop' }, { deviceId: 'laptop', videoId: 'v', positionSec: -1 }, { deviceId: 'laptop', videoId: 'v', positionSec: 1, extra: true }];
      for (const payload of bad) expect(await send(socket, 'playback:handoff', payload)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(await send(socket, 'playback:handoff', { deviceId: 'laptop', videoId: 'v', positionSec: 1 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    } finally {
      socket.close();
    }
  }, 60_000);

  it('takes a pause at an earlier position (the user went back), while throttled progress never moves back', async () => {
    const user = newUser();
    const phone = clients.create({ url: url(1), getToken: tokens(user), deviceId: 'phone', watchReportIntervalMs: 60_000 });
    const laptop = clients.create({ url: url(2), getToken: tokens(user), deviceId: 'laptop' });
    await Promise.all([phone.ready, laptop.ready]);
    await phone.watch.report('film-1', 1200, 3600);
    await eventually(() => expect(laptop.watch.get('film-1')?.positionSec).toBe(1200));
    await phone.watch.report('film-1', 900, 3600, { event: 'pause' });
    await eventually(() => expect(laptop.watch.get('film-1')?.positionSec).toBe(900));
    // A progress report behind the stored position loses (a lagging player must not rewind the entry).
    await laptop.watch.report('film-1', 600, 3600);
    await laptop.watch.report('film-1', 950, 3600, { event: 'pause' });
    await eventually(() => expect(phone.watch.get('film-1')).toMatchObject({ positionSec: 950, deviceId: 'laptop' }));
  }, 60_000);
});
