import type { ProductIcon } from '../catalog.ts';

/** Small stroke icons drawn inline (no icon font, no emoji: they render the same everywhere). */
const PATHS: Record<ProductIcon | UiIcon, string> = {
  headphones: 'M4 15v-3a8 8 0 0 1 16 0v3 M4 15h3v5H5a1 1 0 0 1-1-1z M20 15h-3v5h2a1 1 0 0 0 1-1z',
  keyboard: 'M3 7h18a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1z M6 10.5h1 M9.5 10.5h1 M13 10.5h1 M16.5 10.5h1 M7 14h10',
  mug: 'M5 8h11v7a4 4 0 0 1-4 4H9a4 4 0 0 1-4-4z M16 10h1.5a2.5 2.5 0 0 1 0 5H16 M9 3.5v2 M12 3.5v2',
  backpack: 'M6 9a6 6 0 0 1 12 0v10a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2z M10 3h4 M9 13h6v4H9z',
  lamp: 'M8 3h7l3 7H6z M12 10v9 M8 21h8',
  plant: 'M7 14h10l-1.2 7H8.2z M12 14V8 M12 9c0-3 2-5.5 5.5-5.5C17.5 7 15 9 12 9z M12 11c0-2.5-2-4.5-5-4.5 0 2.5 2 4.5 5 4.5z',
  play: 'M8 5.5v13l10.5-6.5z',
  pause: 'M8 5h3v14H8z M13 5h3v14h-3z',
  back10: 'M4 12a8 8 0 1 0 2.4-5.7 M4 4v4h4 M10 10v5 M13 10h2v5h-2z',
  fwd30: 'M20 12a8 8 0 1 1-2.4-5.7 M20 4v4h-4 M8 10h2.5v2H9h1.5v3H8 M13 10h2v5h-2z',
  plus: 'M12 5v14 M5 12h14',
  minus: 'M5 12h14',
  close: 'M6 6l12 12 M18 6L6 18',
  bolt: 'M13 2L4 14h7l-1 8 9-12h-7z',
  restart: 'M4 12a8 8 0 1 0 2.4-5.7 M4 4v4h4',
  cart: 'M3 4h2l2.4 11h10.2L20 7H6.2 M9 20a1 1 0 1 0 0-.1 M17 20a1 1 0 1 0 0-.1',
  phone: 'M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z M11 18h2',
  laptop: 'M5 5h14v10H5z M2 18h20',
  server: 'M4 4h16v6H4z M4 14h16v6H4z M8 7h.01 M8 17h.01',
};

export type UiIcon =
  | 'play'
  | 'pause'
  | 'back10'
  | 'fwd30'
  | 'plus'
  | 'minus'
  | 'close'
  | 'bolt'
  | 'restart'
  | 'cart'
  | 'phone'
  | 'laptop'
  | 'server';

export function Icon(props: { name: ProductIcon | UiIcon; size?: number; className?: string; filled?: boolean }) {
  const size = props.size ?? 18;
  return (
    <svg
      className={props.className}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={props.filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      strokeWidth={props.filled ? 0 : 1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[props.name]} />
    </svg>
  );
}
