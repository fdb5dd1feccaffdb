import * as z from 'zod';
import { WireError } from './errors.js';
import { LIMITS } from './limits.js';
import { MUTATION_EVENTS, MUTATION_SCHEMAS, MutationResult, type Mutation, type MutationEvent } from './mutations.js';

/** UTF-8 length of a string, as it travels (a surrogate pair is 4 bytes, a lone surrogate 3). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes one mutation takes inside a push's `mutations` array (its JSON, without the separating comma). */
export function pushedBytes(mutation: Mutation): number {
  return utf8Length(JSON.stringify(mutation));
}

/** One mutation inside a push: the event it would be sent as on its own, and that event's request. */
const PushedMutation = z
  .strictObject({ event: z.enum(MUTATION_EVENTS as [MutationEvent, ...MutationEvent[]]), request: z.unknown() })
  .transform((item, ctx): Mutation => {
    const parsed = MUTATION_SCHEMAS[item.event].safeParse(item.request);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['request', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    return { event: item.event, request: parsed.data } as Mutation;
  });

/**
 * `mutations:push`: a device's pending mutations, in seq order, applied in that order and each all-or-nothing.
 * Count and bytes are checked before any item is parsed, so an oversized push costs the server little.
 */
export const MutationsPushRequest = z.strictObject({
  mutations: z
    .array(z.unknown())
    .min(1)
    .max(LIMITS.pushMutations)
    .refine((items) => utf8Length(JSON.stringify(items)) <= LIMITS.pushBytes, `a push carries at most ${LIMITS.pushBytes} bytes`)
    .pipe(z.array(PushedMutation)),
});
export type MutationsPushRequest = z.infer<typeof MutationsPushRequest>;

/**
 * The answer to a push: the first `applied` mutations were applied (or found already applied: `duplicate`), in
 * order; `error` says why the next one was refused, and the ones after it were not tried. A push that fails as a
 * whole (malformed, expired token) gets an ordinary error answer instead.
 */
export const MutationsPushResult = z
  .strictObject({
    results: z.array(MutationResult).max(LIMITS.pushMutations),
    applied: z.number().int().min(0).max(LIMITS.pushMutations),
    error: WireError.optional(),
  })
  .refine((r) => r.results.length === r.applied, 'results and applied disagree');
export type MutationsPushResult = z.infer<typeof MutationsPushResult>;
