import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { DeviceSession } from '../device-session.ts';
import { useCart, useConnection, useDevices, useWatch } from '../hooks.ts';
import { cartSummary, continueWatchingCards } from '../view-model.ts';
import { CartPanel, type CartActions } from './cart-panel.tsx';
import { CatalogGrid } from './catalog-grid.tsx';
import { ContinueRow } from './continue-row.tsx';
import { DevicesPanel } from './devices-panel.tsx';
import { Icon } from './icons.tsx';
import { Player, usePlayer, type HandoffButton } from './player.tsx';

export interface ShopAppProps {
  session: DeviceSession;
  variant: 'phone' | 'laptop';
  labelOf: (deviceId: string) => string;
  onError: (error: unknown) => void;
}

/** The product as it runs on one device: player, continue watching, shop and cart. */
export function ShopApp(props: ShopAppProps) {
  const { client } = props.session;
  const cart = useCart(client);
  const watch = useWatch(client);
  const devices = useDevices(client);
  const connection = useConnection(client);
  const player = usePlayer(client, watch, props.onError);
  const summary = useMemo(() => cartSummary(cart.items, cart.totalCents), [cart]);
  const inCart = useMemo(() => new Map(cart.items.map((l) => [l.sku, l.qty])), [cart]);
  const cards = useMemo(() => continueWatchingCards(watch.continueWatching, props.labelOf, props.variant === 'phone' ? 3 : 4), [watch, props.labelOf, props.variant]);
  const { onError } = props;

  // Another device handed a video to this one: play it from there.
  const playerRef = useRef(player);
  playerRef.current = player;
  useEffect(() => client.playback.onHandoff((event) => playerRef.current.open(event.videoId, event.positionSec, true)), [client]);
  const laptop = devices.find((d) => d.kind === 'laptop' && d.online && d.deviceId !== props.session.deviceId);
  const handoff: HandoffButton | null =
    props.variant === 'phone' && laptop
      ? {
          label: 'Continue on laptop',
          onClick: () => {
            const { videoId, positionSec } = playerRef.current.state;
            client.playback
              .handoff(laptop.deviceId, { videoId, positionSec: Math.round(positionSec * 10) / 10 })
              .then(() => playerRef.current.pause(), onError);
          },
        }
      : null;

  const actions: CartActions = useMemo(
    () => ({
      setQuantity: (sku, qty) => void client.cart.setQuantity(sku, qty).catch(onError),
      remove: (sku) => void client.cart.remove(sku).catch(onError),
      clear: () => void client.cart.clear().catch(onError),
    }),
    [client, onError],
  );
  const add = useCallback(
    (p: { sku: string; title: string; priceCents: number }) => void client.cart.add({ sku: p.sku, title: p.title, priceCents: p.priceCents, qty: 1 }).catch(onError),
    [client, onError],
  );

  const appBar = (
    <header className="app-bar">
      <span className="app-brand">
        <span className="app-logo" />
        Tandem Shop
      </span>
      <span className="cart-badge" data-testid="cart-badge">
        <Icon name="cart" size={16} />
        {summary.units}
      </span>
    </header>
  );

  const continueRow = <ContinueRow cards={cards} onOpen={(card) => player.open(card.videoId, undefined, true)} />;

  if (props.variant === 'phone') {
    return (
      <div className="app phone-app">
        {appBar}
        <div className="app-scroll">
          <Player player={player} compact handoff={handoff} />
          {continueRow}
          <CartPanel cart={summary} actions={actions} version={cart.version} />
          <CatalogGrid onAdd={add} inCart={inCart} columns={2} />
        </div>
      </div>
    );
  }
  return (
    <div className="app laptop-app">
      {appBar}
      <div className="laptop-body">
        <div className="laptop-main">
          <Player player={player} />
          {continueRow}
          <CatalogGrid onAdd={add} inCart={inCart} columns="auto" />
        </div>
        <div className="area-side">
          <CartPanel cart={summary} actions={actions} version={cart.version} />
          <DevicesPanel devices={devices} labelOf={props.labelOf} self={props.session.deviceId} connection={connection} />
        </div>
      </div>
    </div>
  );
}
