import { describe, expect, it } from 'vitest';
import {
  CartAddRequest,
  Change,
  HandshakeAuth,
  LIMITS,
  MutationsPushRequest,
  WatchReportRequest,
  describeIssue,
} from '../../src/protocol/index.ts';
import * as s from '../../src/protocol/schema/index.ts';
import { checkMutation } from '../../src/client/domain-apis.ts';

const firstIssue = (schema: s.AnySchema, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a refusal');
  return describeIssue(parsed.error.issues[0]!);
};

const add = { seq: 1, sku: 'sku-1', title: 'Shirt', priceCents: 1999, qty: 1 };

describe('protocol schemas', () => {
  it('name the field and the limit it broke', () => {
    expect(firstIssue(CartAddRequest, { ...add, qty: 1000 })).toBe(`qty must be between ${LIMITS.qtyMin} and ${LIMITS.qtyMax}`);
    expect(firstIssue(CartAddRequest, { ...add, qty: 1.5 })).toBe('qty must be a whole number');
    expect(firstIssue(CartAddRequest, { ...add, sku: '' })).toBe(`sku must be between 1 and ${LIMITS.skuLength} characters long`);
    expect(firstIssue(CartAddRequest, { ...add, sku: 'a b' })).toBe('sku may use only letters, digits and _ . : -');
    expect(firstIssue(CartAddRequest, { ...add, title: 'a\u0007' })).toBe('title must not contain control characters');
    expect(firstIssue(CartAddRequest, { ...add, colour: 'red' })).toBe('colour is not a known field');
    const { title: _title, ...untitled } = add;
    expect(firstIssue(CartAddRequest, untitled)).toBe('title is required');
    expect(firstIssue(CartAddRequest, 'cart')).toBe('value must be an object');
    expect(firstIssue(WatchReportRequest, { seq: 1, videoId: 'v', positionSec: 20, durationSec: 10, at: 0, kind: 'progress' })).toBe(
      'positionSec must not exceed durationSec',
    );
    expect(firstIssue(WatchReportRequest, { seq: 1, videoId: 'v', positionSec: 1, durationSec: 10, at: 0, kind: 'pause!' })).toBe(
      'kind must be one of progress, seek',
    );
  });

  it('tell union members apart by their tag and say which tags exist', () => {
    const change = { epoch: 'e', version: 1, deviceId: 'd', seq: 1, at: 0, op: { type: 'cart:clear' } };
    expect(Change.safeParse(change).success).toBe(true);
    expect(firstIssue(Change, { ...change, op: { type: 'cart:explode' } })).toMatch(/^op\.type must be one of cart:line, cart:clear, /);
    expect(firstIssue(Change, { ...change, op: { type: 'cart:clear', extra: 1 } })).toBe('op.extra is not a known field');
  });

  it('parse a push item by its own event, with the path into the push', () => {
    const parsed = MutationsPushRequest.safeParse({ mutations: [{ event: 'cart:add', request: add }, { event: 'cart:add', request: { ...add, seq: 2, qty: 0 } }] });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssue(parsed.error.issues[0]!)).toBe('mutations.1.request.qty must be between 1 and 999');
    const ok = MutationsPushRequest.parse({ mutations: [{ event: 'cart:clear', request: { seq: 3 } }] });
    expect(ok.mutations).toEqual([{ event: 'cart:clear', request: { seq: 3 } }]);
  });

  it('refine only values that passed their schema', () => {
    expect(firstIssue(HandshakeAuth, { token: 't', deviceId: 'backend-x', protocol: 2 })).toBe(
      "deviceId must not start with backend- (the app backend's devices do)",
    );
    expect(firstIssue(HandshakeAuth, { token: 't', deviceId: '', protocol: 2 })).toBe('deviceId must be between 1 and 64 characters long');
  });

  it('hand back the very input when nothing is transformed (no copy per message)', () => {
    const change = { epoch: 'e', version: 1, deviceId: 'd', seq: 1, at: 0, op: { type: 'noop' } };
    expect(Change.parse(change)).toBe(change);
  });

  it("give the SDK's own checks the method, the field and the limit", () => {
    expect(checkMutation({ event: 'cart:add', request: { sku: 'tea', title: 'Tea', priceCents: 450, qty: 1000 } })?.message).toBe(
      'cart.add: qty must be between 1 and 999',
    );
    expect(checkMutation({ event: 'cart:set', request: { sku: 'tea', qty: -1 } })).toMatchObject({ code: 'bad_request', message: 'cart.set: qty must be between 0 and 999' });
  });
});
