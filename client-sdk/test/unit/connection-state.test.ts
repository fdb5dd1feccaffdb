import { describe, expect, it } from 'vitest';
import { createConnectionStateMachine, type ConnectionState } from '../../src/connection/state.ts';
import { SyncClientError } from '../../src/errors.ts';

describe('connection state machine', () => {
  const connecting: ConnectionState = { status: 'connecting', url: 'http://a', attempt: 0 };

  it('emits one status event per change', () => {
    const machine = createConnectionStateMachine(connecting);
    const seen: string[] = [];
    machine.onStatus((s) => seen.push(s.status));
    expect(machine.to({ status: 'connected', url: 'http://a', nodeId: 'n1' })).toBe(true);
    expect(machine.to({ status: 'offline', reason: 'network', attempt: 0, retryAt: 5 })).toBe(true);
    expect(seen).toEqual(['connected', 'offline']);
  });

  it('treats a move to the same state with the same data as a no-op', () => {
    const machine = createConnectionStateMachine(connecting);
    const seen: string[] = [];
    machine.onStatus((s) => seen.push(s.status));
    expect(machine.to({ status: 'connecting', url: 'http://a', attempt: 0 })).toBe(false);
    expect(machine.state).toBe(connecting);
    expect(seen).toEqual([]);
  });

  it('moves when the status stays and its data changes', () => {
    const backoff: ConnectionState = { status: 'offline', reason: 'network', attempt: 2, retryAt: 5 };
    const machine = createConnectionStateMachine(backoff);
    const seen: ConnectionState[] = [];
    machine.onStatus((s) => seen.push(s));
    const manual: ConnectionState = { status: 'offline', reason: 'manual', attempt: 0, retryAt: null };
    expect(machine.to(manual)).toBe(true);
    expect(machine.to({ status: 'offline', reason: 'manual', attempt: 0, retryAt: null })).toBe(false);
    expect(machine.to({ status: 'offline', reason: 'manual', attempt: 0, retryAt: 9 })).toBe(true);
    expect(seen).toEqual([manual, { status: 'offline', reason: 'manual', attempt: 0, retryAt: 9 }]);
  });

  it('never leaves closed', () => {
    const machine = createConnectionStateMachine(connecting);
    machine.to({ status: 'closed' });
    const seen: string[] = [];
    machine.onStatus((s) => seen.push(s.status));
    expect(machine.to({ status: 'connecting', url: 'http://a', attempt: 0 })).toBe(false);
    expect(machine.to({ status: 'unauthorized', error: new SyncClientError('unauthorized', 'x') })).toBe(false);
    expect(machine.state.status).toBe('closed');
    expect(seen).toEqual([]);
  });

  it('keeps notifying other listeners when one throws', async () => {
    const machine = createConnectionStateMachine(connecting);
    const seen: string[] = [];
    const thrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (fn) =>
        original(() => {
          try {
            fn();
          } catch (error) {
            resolve(error);
          } finally {
            globalThis.queueMicrotask = original;
          }
        });
    });
    machine.onStatus(() => {
      throw new Error('app bug');
    });
    machine.onStatus((s) => seen.push(s.status));
    machine.to({ status: 'closed' });
    expect(seen).toEqual(['closed']);
    expect(await thrown).toMatchObject({ message: 'app bug' });
  });
});
