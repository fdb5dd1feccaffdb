import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, MUTATION_SCHEMAS } from '../../../client-sdk/src/protocol/index.ts';
import { Change, toZod } from '../../../server/protocol/zod.ts';

describe('the protocol as zod schemas (server/protocol/zod.ts)', () => {
  it('accepts exactly what the protocol schema accepts', () => {
    const line = fc.record(
      {
        seq: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2)),
        sku: fc.oneof(fc.constantFrom('sku-1', '', 'a b', 'x'.repeat(65)), fc.string()),
        title: fc.oneof(fc.constantFrom('Shirt', '', 'a\u0000b', 't'.repeat(201)), fc.string()),
        priceCents: fc.oneof(fc.integer({ min: -1, max: LIMITS.priceCentsMax + 1 }), fc.constant(Number.NaN)),
        qty: fc.integer({ min: -1, max: 1001 }),
        currency: fc.constantFrom('EUR', 'eur', 'EURO'),
        attributes: fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ maxLength: 70 }), { maxKeys: 10 }),
        offer: fc.string({ maxLength: 3 }),
        extra: fc.constant(1),
      },
      { requiredKeys: [] },
    );
    for (const schema of [MUTATION_SCHEMAS['cart:add'], MUTATION_SCHEMAS['cart:set'], MUTATION_SCHEMAS['cart:remove']]) {
      const zod = toZod(schema);
      fc.assert(
        fc.property(line, (value) => {
          expect(schema.safeParse(value).success).toBe(zod.safeParse(value).success);
        }),
        { numRuns: 400 },
      );
    }
  });

  it('keeps bounds, patterns and strictness in the JSON Schema the OpenAPI document is made of', async () => {
    const { z } = await import('zod');
    const json = JSON.stringify(z.toJSONSchema(Change, { io: 'input', unrepresentable: 'any' }));
    expect(json).toContain('"additionalProperties":false');
    expect(json).toContain(`"maxLength":${LIMITS.skuLength}`);
    expect(json).toContain('"pattern":"^[A-Za-z0-9_.:-]+$"');
  });
});
