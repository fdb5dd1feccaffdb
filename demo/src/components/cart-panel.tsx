import { findProduct } from '../catalog.ts';
import type { CartSummary } from '../view-model.ts';
import { ProductTile } from './catalog-grid.tsx';
import { Icon } from './icons.tsx';

export interface CartActions {
  setQuantity(sku: string, qty: number): void;
  remove(sku: string): void;
  clear(): void;
}

export function CartPanel(props: { cart: CartSummary; actions: CartActions; version: number }) {
  const { cart, actions } = props;
  return (
    <section className="section cart" data-testid="cart">
      <div className="cart-head">
        <h3>
          <Icon name="cart" size={16} /> Cart
        </h3>
        <span className="muted" data-testid="cart-count">
          {cart.unitsLabel}
        </span>
      </div>
      {cart.empty ? (
        <p className="empty">Your cart is empty. Add something on either device.</p>
      ) : (
        <ul className="cart-lines">
          {cart.lines.map((line) => (
            <li key={line.sku} className="cart-line" data-testid={`cart-line-${line.sku}`}>
              <ProductTile hue={line.hue} icon={findProduct(line.sku)?.icon ?? 'mug'} size={32} />
              <div className="cart-line-text">
                <span className="cart-line-title">{line.title}</span>
                <span className="muted">{line.unitLabel} each</span>
              </div>
              <div className="stepper">
                <button onClick={() => actions.setQuantity(line.sku, line.qty - 1)} aria-label={`One less ${line.title}`} data-testid={`dec-${line.sku}`}>
                  <Icon name="minus" size={12} />
                </button>
                <span data-testid={`qty-${line.sku}`}>{line.qty}</span>
                <button onClick={() => actions.setQuantity(line.sku, line.qty + 1)} aria-label={`One more ${line.title}`} data-testid={`inc-${line.sku}`}>
                  <Icon name="plus" size={12} />
                </button>
              </div>
              <span className="cart-line-total">{line.lineTotalLabel}</span>
              <button className="remove" onClick={() => actions.remove(line.sku)} aria-label={`Remove ${line.title}`}>
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="cart-foot">
        <div>
          <span className="muted">Total</span>
          <strong className="cart-total" data-testid="cart-total">
            {cart.totalLabel}
          </strong>
        </div>
        <div className="cart-foot-right">
          <span className="version" title="Server version of the user's state">
            v{props.version}
          </span>
          <button className="link-btn" onClick={actions.clear} disabled={cart.empty}>
            Clear
          </button>
        </div>
      </div>
    </section>
  );
}
