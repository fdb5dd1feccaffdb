/** The demo shop: a few products and videos, enough to show a cart and "continue watching" move between devices. */

export type ProductIcon = 'headphones' | 'keyboard' | 'mug' | 'backpack' | 'lamp' | 'plant';

export interface Product {
  sku: string;
  title: string;
  priceCents: number;
  blurb: string;
  icon: ProductIcon;
  /** Hue of the product tile (0-360). */
  hue: number;
}

export interface Video {
  videoId: string;
  title: string;
  subtitle: string;
  durationSec: number;
  hue: number;
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'hp-100', title: 'Studio headphones', priceCents: 12_900, blurb: 'Closed-back, 30 h battery', icon: 'headphones', hue: 222 },
  { sku: 'kb-200', title: 'Mechanical keyboard', priceCents: 8_950, blurb: 'Hot-swap, quiet switches', icon: 'keyboard', hue: 262 },
  { sku: 'mg-300', title: 'Ceramic mug', priceCents: 1_800, blurb: 'Keeps coffee warm longer', icon: 'mug', hue: 24 },
  { sku: 'bp-400', title: 'Commuter backpack', priceCents: 7_400, blurb: 'Laptop sleeve, 22 l', icon: 'backpack', hue: 158 },
  { sku: 'lp-500', title: 'Desk lamp', priceCents: 4_500, blurb: 'Warm to daylight dimming', icon: 'lamp', hue: 44 },
  { sku: 'pl-600', title: 'Potted fern', priceCents: 2_200, blurb: 'Low light, low effort', icon: 'plant', hue: 128 },
];

export const VIDEOS: readonly Video[] = [
  { videoId: 'trailer-aurora', title: 'Aurora', subtitle: 'Nature documentary · S1 E1', durationSec: 1_512, hue: 190 },
  { videoId: 'talk-sync', title: 'Sync at scale', subtitle: 'Conference talk', durationSec: 2_460, hue: 280 },
  { videoId: 'cook-ramen', title: 'Weeknight ramen', subtitle: 'Cooking · 18 min', durationSec: 1_080, hue: 14 },
  { videoId: 'city-lights', title: 'City lights', subtitle: 'Short film', durationSec: 724, hue: 330 },
];

export function findProduct(sku: string): Product | undefined {
  return PRODUCTS.find((p) => p.sku === sku);
}

export function findVideo(videoId: string): Video | undefined {
  return VIDEOS.find((v) => v.videoId === videoId);
}

/** A title for a video id that may not be in this catalog (another client may have watched something else). */
export function videoTitle(videoId: string): string {
  return findVideo(videoId)?.title ?? videoId;
}
