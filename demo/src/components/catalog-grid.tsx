import { PRODUCTS, type Product } from '../catalog.ts';
import { formatPrice } from '../format.ts';
import { Icon } from './icons.tsx';

export function ProductTile(props: { hue: number; icon: Product['icon']; size: number }) {
  return (
    <span className="tile" style={{ background: `hsl(${props.hue} 80% 94%)`, color: `hsl(${props.hue} 55% 38%)`, width: props.size, height: props.size }}>
      <Icon name={props.icon} size={Math.round(props.size * 0.55)} />
    </span>
  );
}

/** `columns`: a fixed count, or `auto`: as many 136 px columns as fit. */
export function CatalogGrid(props: { onAdd: (product: Product) => void; inCart: ReadonlyMap<string, number>; columns: number | 'auto' }) {
  return (
    <section className="section" data-testid="catalog">
      <h3>Shop</h3>
      <div
        className={`catalog${props.columns === 'auto' ? ' auto' : ''}`}
        style={props.columns === 'auto' ? undefined : { gridTemplateColumns: `repeat(${props.columns}, minmax(0, 1fr))` }}
      >
        {PRODUCTS.map((p) => {
          const qty = props.inCart.get(p.sku) ?? 0;
          return (
            <div className="product" key={p.sku}>
              <div className="product-top">
                <ProductTile hue={p.hue} icon={p.icon} size={40} />
                {qty > 0 && (
                  <span className="in-cart" data-testid={`in-cart-${p.sku}`}>
                    {qty} in cart
                  </span>
                )}
              </div>
              <div className="product-text">
                <span className="product-title">{p.title}</span>
                <span className="product-blurb">{p.blurb}</span>
              </div>
              <div className="product-foot">
                <span className="price">{formatPrice(p.priceCents)}</span>
                <button className="add-btn" onClick={() => props.onAdd(p)} data-testid={`add-${p.sku}`} aria-label={`Add ${p.title} to cart`}>
                  <Icon name="plus" size={14} />
                  Add
                </button>
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
}
