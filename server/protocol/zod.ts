import { z } from 'zod';
import * as P from '../../client-sdk/src/protocol/index.ts';
import type { Def, Infer, Schema } from '../../client-sdk/src/protocol/schema/index.ts';

/**
 * The protocol's schemas as zod schemas, for the server code that composes them with zod (the admin API, whose
 * OpenAPI document zod generates). Built from each schema's `def`, so the protocol stays the one definition:
 * the same bounds, patterns and refinements, the same JSON Schema as before.
 */
const converted = new WeakMap<object, z.ZodType>();

function build(def: Def, source: Schema<unknown>): z.ZodType {
  switch (def.kind) {
    case 'string': {
      let schema = z.string();
      if (def.min !== undefined) schema = schema.min(def.min);
      if (def.max !== undefined) schema = schema.max(def.max);
      return def.pattern ? schema.regex(def.pattern, def.patternMessage) : schema;
    }
    case 'number': {
      let schema = def.int ? z.number().int() : z.number();
      if (def.min !== undefined) schema = schema.min(def.min);
      if (def.max !== undefined) schema = schema.max(def.max);
      return schema;
    }
    case 'boolean':
      return z.boolean();
    case 'unknown':
      return z.unknown();
    case 'literal':
      return z.literal(def.value);
    case 'enum':
      return z.enum(def.values as [string, ...string[]]);
    case 'object':
      return z.strictObject(Object.fromEntries(Object.entries(def.shape).map(([key, field]) => [key, toZod(field)])));
    case 'optional':
      return toZod(def.inner).optional();
    case 'nullable':
      return toZod(def.inner).nullable();
    case 'array': {
      let schema = z.array(toZod(def.item));
      if (def.min !== undefined) schema = schema.min(def.min);
      if (def.max !== undefined) schema = schema.max(def.max);
      return schema;
    }
    case 'record':
      return z.record(toZod(def.key) as z.ZodString, toZod(def.value));
    case 'union':
      return z.discriminatedUnion(def.key, def.options.map((option) => toZod(option)) as [z.ZodObject, ...z.ZodObject[]]);
    case 'refine': {
      const test = def.test as (value: unknown) => boolean;
      return toZod(def.inner).refine(test, { message: def.message, ...(def.path ? { path: def.path } : {}) });
    }
    case 'transform':
      // Only the protocol's own validator knows the mapping: zod defers to it (JSON Schema: the input's shape).
      return toZod(def.inner).transform((value, ctx) => {
        const parsed = source.safeParse(value);
        if (parsed.success) return parsed.data;
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
        return z.NEVER;
      });
  }
}

/** The zod schema equivalent to a protocol schema (converted once, then shared). */
export function toZod<S extends Schema<unknown>>(schema: S): z.ZodType<Infer<S>, Infer<S>> {
  let zod = converted.get(schema);
  if (!zod) {
    zod = build(schema.def, schema);
    converted.set(schema, zod);
  }
  return zod as z.ZodType<Infer<S>, Infer<S>>;
}

export const Sku = toZod(P.Sku);
export const VideoId = toZod(P.VideoId);
export const DeviceId = toZod(P.DeviceId);
export const UserId = toZod(P.UserId);
export const Epoch = toZod(P.Epoch);
export const Version = toZod(P.Version);
export const Millis = toZod(P.Millis);
export const Seq = toZod(P.Seq);
export const Qty = toZod(P.Qty);
export const PriceCents = toZod(P.PriceCents);
export const Title = toZod(P.Title);
export const Currency = toZod(P.Currency);
export const Attributes = toZod(P.Attributes);
export const CartLine = toZod(P.CartLine);
export const CheckoutId = toZod(P.CheckoutId);
export const CartFreeze = toZod(P.CartFreeze);
export const WatchEntry = toZod(P.WatchEntry);
export const Device = toZod(P.Device);
export const Change = toZod(P.Change);
export const ErrorCode = toZod(P.ErrorCode);
export type ErrorCode = P.ErrorCode;
