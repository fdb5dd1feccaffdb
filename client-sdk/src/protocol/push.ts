import { WireError } from './errors.js';
import { LIMITS } from './limits.js';
import { MutationResult, type Mutation } from './mutations.js';
import * as s from './schema/index.js';

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


/**
 * The answer to a push: the first `applied` mutations were applied (or found already applied: `duplicate`), in
 * order; `error` says why the next one was refused, and the ones after it were not tried. A push that fails as a
 * whole (malformed, expired token) gets an ordinary error answer instead.
 */
export const MutationsPushResult = s.refine(
  s.object({
    results: s.array(MutationResult, { max: LIMITS.pushMutations }),
    applied: s.int({ min: 0, max: LIMITS.pushMutations }),
    error: s.optional(WireError),
  }),
  (r) => r.results.length === r.applied,
  'must have as many results as applied',
  ['results'],
);
export type MutationsPushResult = s.Infer<typeof MutationsPushResult>;
