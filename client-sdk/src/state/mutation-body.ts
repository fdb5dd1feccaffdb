import type { MutationEvent, MutationRequest } from '../protocol/index.js';

/** A mutation before it has a sequence number (a `Mutation` is one too: `seq` is simply ignored). */
export type MutationBody = {
  [E in MutationEvent]: { event: E; request: Omit<MutationRequest<E>, 'seq'> };
}[MutationEvent];
