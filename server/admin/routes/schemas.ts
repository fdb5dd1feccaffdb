import { z } from 'zod';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import {
  Attributes,
  CartLine,
  Change,
  Currency,
  Device,
  DeviceId,
  Epoch,
  PriceCents,
  Qty,
  Sku,
  Title,
  UserId,
  Version,
  VideoId,
  WatchEntry,
} from '../../protocol/zod.ts';

// In a `u` regex a surrogate pair is one code point, so this matches only lone surrogates (Redis cannot keep them).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const WellFormedTitle = Title.refine((t) => !LONE_SURROGATE.test(t), 'not well-formed unicode');

export const UserParams = z.strictObject({ userId: UserId });
export const LineParams = z.strictObject({ userId: UserId, sku: Sku });
export const VideoParams = z.strictObject({ userId: UserId, videoId: VideoId });
export const DeviceParams = z.strictObject({ userId: UserId, deviceId: DeviceId });

export const Seconds = z.number().min(0).max(LIMITS.durationSecMax);

export const UserState = z.strictObject({
  userId: UserId,
  epoch: Epoch,
  version: Version,
  cart: z.array(CartLine),
  watch: z.array(WatchEntry),
  devices: z.array(Device),
});

/** The answer of every write: the changes it committed are `fromVersion + 1 ..= version`. */
export const WriteResult = z.strictObject({
  userId: UserId,
  epoch: Epoch,
  version: Version,
  fromVersion: Version,
});

export const ChangesPage = z.strictObject({
  userId: UserId,
  epoch: Epoch,
  version: Version,
  changes: z.array(Change),
  /** Pass as `since` for the next page. */
  nextSince: Version,
  hasMore: z.boolean(),
});

export const DevicesList = z.strictObject({ userId: UserId, epoch: Epoch, version: Version, devices: z.array(Device) });

export const UserExport = z.strictObject({
  userId: UserId,
  exportedAt: z.string(),
  epoch: Epoch,
  version: Version,
  cart: z.array(CartLine),
  watch: z.array(WatchEntry),
  devices: z.array(Device),
  log: z.array(Change),
});

/** A line the backend adds: no offer token needed (the backend is the one that prices). */
export const CartAddFields = {
  sku: Sku,
  title: WellFormedTitle,
  priceCents: PriceCents,
  qty: Qty.default(1),
  currency: Currency.optional(),
  attributes: Attributes.optional(),
};
export const CartAddBody = z.strictObject(CartAddFields);
export const CartSetBody = z.strictObject({ qty: z.number().int().min(0).max(LIMITS.qtyMax) });
