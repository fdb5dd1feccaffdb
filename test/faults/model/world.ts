import type { ErrorCode } from '../../../client-sdk/src/protocol/index.ts';
import type { Engine } from '../../../server/engine/engine.ts';
import { emptyUser, type UserModel } from '../harness/model.ts';

/** One device as the model-based test drives it: its connection, token age and seqs. */
export interface DeviceModel {
  userId: string;
  deviceId: string;
  /** The connection the engine knows as current; null before the first connect or after a wipe. */
  connId: string | null;
  /** Connections this device had before (writes through them must answer `conflict`). */
  oldConnIds: string[];
  issuedAt: number;
  usedSeqs: number[];
  nextSeq: number;
}

/** The model side of a run: each user's state plus what the test knows about devices and revocations. */
export interface World {
  users: Map<string, UserModel>;
  devices: DeviceModel[];
  /** userId → (`*` | deviceId) → revoked-before ms. */
  revoked: Map<string, Map<string, number>>;
  /** Logical clock for watch event times far in the past (never clamped by the server). */
  pastClock: number;
  connCounter: number;
}

/** The real side: an engine, and for Redis a way to make the store lose everything. */
export interface Real {
  engine: Engine;
  wipe: (() => Promise<void>) | null;
}

export const USERS = ['alice', 'bob'] as const;
export const DEVICES_PER_USER = 2;

export function createWorld(): World {
  const devices: DeviceModel[] = [];
  for (const userId of USERS) {
    for (let i = 1; i <= DEVICES_PER_USER; i++) {
      devices.push({ userId, deviceId: `${userId}-d${i}`, connId: null, oldConnIds: [], issuedAt: Date.now(), usedSeqs: [], nextSeq: 1 });
    }
  }
  return {
    users: new Map(USERS.map((u) => [u, emptyUser()])),
    devices,
    revoked: new Map(USERS.map((u) => [u, new Map()])),
    pastClock: 1_600_000_000_000,
    connCounter: 0,
  };
}

export function userOf(world: World, userId: string): UserModel {
  const user = world.users.get(userId);
  if (!user) throw new Error(`no model for ${userId}`);
  return user;
}

/** The codes the engine may answer before looking at the mutation itself (several may apply at once). */
export function gateCodes(world: World, device: DeviceModel, connId: string | null): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const marks = world.revoked.get(device.userId);
  const revokedBefore = Math.max(marks?.get('*') ?? -Infinity, marks?.get(device.deviceId) ?? -Infinity);
  if (revokedBefore > device.issuedAt) codes.push('unauthorized');
  if (connId === null || connId !== device.connId) codes.push('conflict');
  return codes;
}

export function nextConnId(world: World, device: DeviceModel): string {
  world.connCounter += 1;
  return `${device.deviceId}-c${world.connCounter}`;
}

/** The device at `index`, wrapping around the world's devices. */
export function device(world: World, index: number): DeviceModel {
  const found = world.devices[index % world.devices.length];
  if (!found) throw new Error('no device');
  return found;
}
