import { MUTATION_SCHEMAS, type Mutation } from '../../client-sdk/src/protocol/index.ts';
import { normalizeWatchReport } from '../../client-sdk/src/rules/index.ts';
import { SyncError } from '../errors.ts';

// In a `u` regex a surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function wellFormed(value: string): boolean {
  // A lone surrogate cannot be stored as UTF-8: Redis would keep U+FFFD while memory kept the original.
  return !LONE_SURROGATE.test(value);
}

/**
 * Validates a mutation against the protocol's limits (the gateway already did, but engines are the last line)
 * and normalizes it; anything out of bounds is `bad_request` before any state is touched.
 */
export function parseMutation(mutation: Mutation): Mutation {
  const schema = MUTATION_SCHEMAS[mutation.event];
  if (!schema) throw new SyncError('bad_request', 'unknown mutation');
  const parsed = schema.safeParse(mutation.request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new SyncError('bad_request', `invalid ${mutation.event}${where ? ` (${where})` : ''}: ${issue?.message ?? 'malformed'}`);
  }
  const typed = { event: mutation.event, request: parsed.data } as Mutation;
  if (typed.event === 'cart:add') {
    if (!wellFormed(typed.request.title)) throw new SyncError('bad_request', 'invalid cart:add (title): not well-formed unicode');
    // The offer was checked by the node (CART_PRICES=signed) and its values copied in; engines do not store it.
    const { offer: _offer, attributes, ...rest } = typed.request;
    const hasAttributes = attributes !== undefined && Object.keys(attributes).length > 0;
    return { event: 'cart:add', request: hasAttributes ? { ...rest, attributes } : rest };
  }
  if (typed.event === 'watch:report') return { event: typed.event, request: normalizeWatchReport(typed.request) };
  return typed;
}
