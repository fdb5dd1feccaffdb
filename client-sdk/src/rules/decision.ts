import type { Op, WireError } from '../protocol/index.js';

/** What a rule decides: the state delta to commit, or a refusal with the protocol's error code. */
export type Decision = { readonly ok: true; readonly op: Op } | { readonly ok: false; readonly error: WireError };

export const commitOp = (op: Op): Decision => ({ ok: true, op });
export const refuse = (code: WireError['code'], message: string): Decision => ({ ok: false, error: { code, message } });
