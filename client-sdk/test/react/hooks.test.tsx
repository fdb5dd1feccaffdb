// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useRef } from 'react';
import {
  SyncProvider,
  useCart,
  useContinueWatching,
  useDevices,
  usePendingCount,
  useSyncClient,
  useSyncStatus,
  useWatchProgress,
} from '../../src/react/index.ts';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '../../src/index.ts';
import { startGateway, type GatewayProcess } from '../../../test/support/gateway-process.ts';
import { mintTokenSync } from '../../../test/support/tokens.ts';

let gateway: GatewayProcess;
const created: SyncClient[] = [];
const clients = {
  create(options: SyncClientOptions) {
    const client = createSyncClient({ backoff: { baseMs: 100, capMs: 1000 }, ...options });
    created.push(client);
    return client;
  },
  closeAll: () => Promise.all(created.splice(0).map((c) => c.close())),
};
const tokens = (user: string) => () => mintTokenSync({ userId: user });
const eventually = <T,>(check: () => T) => vi.waitFor(check, { timeout: 20_000, interval: 20 });
const newUser = () => `react-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  // jsdom's WebSocket sends the page's Origin, which the gateway checks like a browser's.
  gateway = await startGateway({ nodeId: 'node-1', env: { CORS_ORIGINS: window.location.origin } });
});
afterEach(async () => {
  cleanup();
  await clients.closeAll();
});
afterAll(async () => {
  await gateway?.kill();
});

function Cart() {
  const cart = useCart();
  const client = useSyncClient();
  return (
    <section>
      <ul>
        {cart.items.map((line) => (
          <li key={line.sku} data-testid="line">
            {line.title} × {line.qty}
          </li>
        ))}
      </ul>
      <p data-testid="total">{cart.totalCents}</p>
      <button onClick={() => void client.cart.add({ sku: 'tea', title: 'Tea', priceCents: 450 })}>add tea</button>
    </section>
  );
}

function Status() {
  return <p data-testid="status">{useSyncStatus()}</p>;
}

function Pending() {
  return <p data-testid="pending">{usePendingCount()}</p>;
}

function Progress({ videoId, renders }: { videoId: string; renders: { count: number } }) {
  const entry = useWatchProgress(videoId);
  const count = useRef(0);
  count.current++;
  renders.count = count.current;
  return <p data-testid={`progress-${videoId}`}>{entry ? Math.round(entry.positionSec) : '-'}</p>;
}

function ContinueWatching() {
  const entries = useContinueWatching();
  return <p data-testid="continue">{entries.map((e) => e.videoId).join(',')}</p>;
}

function Devices() {
  const devices = useDevices();
  return (
    <p data-testid="devices">
      {devices
        .filter((d) => d.online)
        .map((d) => d.deviceId)
        .sort()
        .join(',')}
    </p>
  );
}

describe('React hooks', () => {
  it('render the synced state and update on local and remote changes', async () => {
    const user = newUser();
    const url = gateway.url;
    const phone = clients.create({ url, getToken: tokens(user), deviceId: 'phone' });
    const laptop = clients.create({ url, getToken: tokens(user), deviceId: 'laptop' });
    const renders = { count: 0 };

    render(
      <SyncProvider client={phone}>
        <Status />
        <Pending />
        <Cart />
        <Progress videoId="film" renders={renders} />
        <ContinueWatching />
        <Devices />
      </SyncProvider>,
    );
    expect(screen.getByTestId('progress-film').textContent).toBe('-');
    await eventually(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    await laptop.ready;
    await eventually(() => expect(screen.getByTestId('devices').textContent).toBe('laptop,phone'));

    // Local: the line shows at once (optimistic), then the pending count drops when the server confirms.
    phone.goOffline();
    await eventually(() => expect(screen.getByTestId('status').textContent).toBe('offline'));
    fireEvent.click(screen.getByText('add tea'));
    expect(screen.getAllByTestId('line').map((li) => li.textContent)).toEqual(['Tea × 1']);
    expect(screen.getByTestId('pending').textContent).toBe('1');
    act(() => phone.goOnline());
    await eventually(() => expect(screen.getByTestId('pending').textContent).toBe('0'));

    // Remote: the laptop's changes re-render the phone's components.
    const rendersBefore = renders.count;
    await laptop.cart.add({ sku: 'tea', title: 'Tea', priceCents: 450, qty: 2 });
    await eventually(() => expect(screen.getAllByTestId('line').map((li) => li.textContent)).toEqual(['Tea × 3']));
    expect(screen.getByTestId('total').textContent).toBe('1350');
    expect(renders.count).toBe(rendersBefore);

    await laptop.watch.report('film', 42, 600, { event: 'pause' });
    await eventually(() => expect(screen.getByTestId('progress-film').textContent).toBe('42'));
    expect(screen.getByTestId('continue').textContent).toBe('film');
    const afterFilm = renders.count;
    await laptop.watch.report('other', 60, 600, { event: 'pause' });
    await eventually(() => expect(screen.getByTestId('continue').textContent).toBe('other,film'));
    expect(renders.count).toBe(afterFilm);

    await laptop.close();
    await eventually(() => expect(screen.getByTestId('devices').textContent).toBe('phone'));
  });

  it('useSyncClient explains what is missing outside a provider', () => {
    const Lonely = () => <p>{useSyncStatus()}</p>;
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Lonely />)).toThrow(/SyncProvider/);
    spy.mockRestore();
  });
});
