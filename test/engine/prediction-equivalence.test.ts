import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_RULES, type Mutation, type WatchRules } from '../../client-sdk/src/protocol/index.ts';
import { sortCartLines, sortWatchEntries } from '../../client-sdk/src/rules/index.ts';
import { decide, emptyServerState, predict, type StateData } from '../../client-sdk/src/state/index.ts';
import { createMemoryEngine } from '../../server/engine/memory/memory-engine.ts';
import { SyncError } from '../../server/errors.ts';
import { connect, ROOMY, snapshotOf, uniqueUser } from './contract/harness.ts';
import { mutation } from './random-mutations.ts';

// Beyond the engines' shared generator: removing a video, and a line in another currency.
const more: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom('x', 'y').map((videoId): Mutation => ({ event: 'watch:remove', request: { seq: 0, videoId } })),
  fc.constantFrom('a', 'd').map((sku): Mutation => ({ event: 'cart:add', request: { seq: 0, sku, title: 'E', priceCents: 5, qty: 1, currency: 'EUR' } })),
);

const snapshotOfState = (state: StateData) => ({ cart: sortCartLines(state.cart.values()), watch: sortWatchEntries(state.watch.values()) });

// Resume rules other than the defaults, whose edges the generator's positions also hit (10 %, 50 %, 100 s).
const OTHER_RULES: WatchRules = { minResumePct: 10, maxResumePct: 50, minDurationSec: 100.5, creditsSec: 0 };

describe("the SDK's prediction and the memory engine", () => {
  it.each([
    ['the default resume rules', DEFAULT_WATCH_RULES],
    ['other resume rules', OTHER_RULES],
  ])('decide the same delta or the same refusal for every mutation, and so reach the same state, with %s', async (_name, rules) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(mutation, mutation, more), { minLength: 1, maxLength: 30 }), async (mutations) => {
        const engine = createMemoryEngine({ ...ROOMY, watchRules: rules });
        const user = uniqueUser();
        const phone = await connect(engine, user, 'phone');
        let predicted: StateData = emptyServerState();
        for (const m of mutations) {
          const expected = decide(predicted, m, 'phone', rules);
          const answer = await phone.send(m.event, m.request).then(
            (result) => ({ ok: true as const, op: result.change?.op }),
            (err: unknown) => ({ ok: false as const, error: err instanceof SyncError ? { code: err.code, message: err.message } : String(err) }),
          );
          expect(answer).toEqual(expected);
          predicted = predict(predicted, m, 'phone', rules);
        }
        const { state } = await snapshotOf(engine, user);
        expect(snapshotOfState(predicted)).toEqual(state);
        await engine.close();
      }),
      { numRuns: 200 },
    );
  });
});
