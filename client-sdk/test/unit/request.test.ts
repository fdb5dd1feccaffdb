import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../../src/connection/request.ts';

describe('answers are validated with the protocol schemas', () => {
  it('accepts a valid acknowledgement without its ok flag', () => {
    expect(parseAnswer('cart:clear', { ok: true, epoch: 'e', version: 3, duplicate: true })).toEqual({
      kind: 'ok',
      value: { epoch: 'e', version: 3, duplicate: true },
    });
  });

  it('reads error acknowledgements', () => {
    expect(parseAnswer('cart:set', { ok: false, error: { code: 'not_found', message: 'no line' } })).toEqual({
      kind: 'error',
      error: { code: 'not_found', message: 'no line' },
    });
  });

  it('refuses answers that do not match the protocol', () => {
    expect(parseAnswer('cart:clear', { ok: true, epoch: 'e', version: -1, duplicate: false }).kind).toBe('invalid');
    expect(parseAnswer('cart:clear', { ok: true, epoch: 'e', version: 1, duplicate: false, extra: 1 }).kind).toBe('invalid');
    expect(parseAnswer('cart:clear', { ok: false, error: { code: 'teapot', message: '' } }).kind).toBe('invalid');
    expect(parseAnswer('sync:since', 'hello').kind).toBe('invalid');
    expect(parseAnswer('sync:since', null).kind).toBe('invalid');
  });
});
