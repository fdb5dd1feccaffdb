import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.ts';
import { createOriginPolicy } from '../../../server/transport/admission.ts';
import { clientAddress, createHandshakeGate } from '../../../server/transport/handshake-gate.ts';

const req = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('handshake gate', () => {
  it('runs at most `concurrency` handshakes, queues `queue` more and refuses the rest', async () => {
    const gate = createHandshakeGate({ concurrency: 2, queue: 1, perIp: 100 });
    const a = await gate.enter('1.1.1.1');
    const b = await gate.enter('1.1.1.2');
    const queued = gate.enter('1.1.1.3');
    expect(queued).not.toBeNull();
    expect(gate.enter('1.1.1.4')).toBeNull();
    expect([gate.running, gate.waiting]).toEqual([2, 1]);
    let started = false;
    void queued?.then(() => (started = true));
    a?.();
    a?.(); // releasing twice frees one slot only
    const c = await queued;
    expect(started).toBe(true);
    expect([gate.running, gate.waiting]).toEqual([2, 0]);
    b?.();
    c?.();
    expect(gate.running).toBe(0);
  });

  it('bounds the handshakes of one address, running or waiting', async () => {
    const gate = createHandshakeGate({ concurrency: 1, queue: 10, perIp: 2 });
    const first = await gate.enter('9.9.9.9');
    const second = gate.enter('9.9.9.9');
    expect(gate.enter('9.9.9.9')).toBeNull();
    expect(gate.enter('8.8.8.8')).not.toBeNull();
    first?.();
    (await second)?.();
    expect(gate.enter('9.9.9.9')).not.toBeNull();
  });

  it('takes the client address from X-Forwarded-For only for trusted hops, counted from the right', () => {
    const headers = { 'x-forwarded-for': 'spoofed, 203.0.113.7, 10.0.0.2' };
    expect(clientAddress(headers, '10.0.0.1', 0)).toBe('10.0.0.1');
    expect(clientAddress(headers, '10.0.0.1', 1)).toBe('10.0.0.2');
    expect(clientAddress(headers, '10.0.0.1', 2)).toBe('203.0.113.7');
    expect(clientAddress({}, '10.0.0.1', 1)).toBe('10.0.0.1');
  });
});

describe('origin policy compares scheme, host and port', () => {
  it('refuses a same-host page of another scheme or port, and matches listed origins whole', () => {
    const policy = createOriginPolicy(['https://app.example']);
    expect(policy(req({ host: 'gw:3000', origin: 'http://gw:3000' }))).toBe(true);
    expect(policy(req({ host: 'gw:3000', origin: 'https://gw:3000' }))).toBe(false);
    expect(policy(req({ host: 'gw:3000', origin: 'http://gw:3001' }))).toBe(false);
    expect(policy(req({ host: 'gw', origin: 'https://app.example:443' }))).toBe(true);
    expect(policy(req({ host: 'gw', origin: 'http://app.example' }))).toBe(false);
    expect(policy(req({ host: 'gw', origin: 'https://app.example:8443' }))).toBe(false);
    expect(policy(req({ host: 'gw', origin: 'https://gw' }, true))).toBe(true);
  });

  it('believes X-Forwarded-Proto only behind TRUST_PROXY', () => {
    const headers = { host: 'app.example', origin: 'https://app.example', 'x-forwarded-proto': 'https' };
    expect(createOriginPolicy([], 0)(req(headers))).toBe(false);
    expect(createOriginPolicy([], 1)(req(headers))).toBe(true);
  });
});

describe('security configuration', () => {
  it('has bounded defaults and reads every limit', () => {
    const base = loadConfig({});
    expect(base.security).toEqual({
      trustProxy: 0,
      handshake: { concurrency: 32, queue: 1024, perIp: 256 },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000, maxConnections: 20_000 },
      maxSocketsPerUser: 20,
      sendBuffer: { maxBytes: 1024 * 1024, nodeMaxBytes: 64 * 1024 * 1024 },
    });
    expect(base.jwt).toMatchObject({ maxLifetimeSec: 86_400, requireDevice: false });
    const set = loadConfig({ TRUST_PROXY: '1', HANDSHAKE_CONCURRENCY: '4', HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '1000', MAX_CONNECTIONS: '0', JWT_REQUIRE_DEVICE: 'true', JWT_MAX_LIFETIME_SEC: '600' });
    expect(set.security).toMatchObject({ trustProxy: 1, handshake: { concurrency: 4 }, http: { headersTimeoutMs: 2000, requestTimeoutMs: 2000, maxConnections: 0 } });
    expect(set.jwt).toMatchObject({ maxLifetimeSec: 600, requireDevice: true });
    expect(() => loadConfig({ HANDSHAKE_CONCURRENCY: '0' })).toThrow(/HANDSHAKE_CONCURRENCY/);
  });
});
