/** Formatting helpers for the demo page: pure, locale-stable (en-US) so tests and screenshots agree. */

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** 12900 → "$129.00". */
export function formatPrice(cents: number): string {
  return money.format(cents / 100);
}

/** 75 → "1:15", 3725 → "1:02:05". Negative and fractional seconds are floored at 0. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Progress as a whole percentage clamped to 0..100. */
export function percent(position: number, duration: number): number {
  if (!(duration > 0)) return 0;
  return Math.min(100, Math.max(0, Math.round((position / duration) * 100)));
}

/** "12 min left", "45 s left", "Finished". */
export function remainingLabel(position: number, duration: number): string {
  const left = Math.max(0, Math.ceil(duration - position));
  if (left === 0) return 'Finished';
  if (left < 60) return `${left} s left`;
  return `${Math.round(left / 60)} min left`;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago" relative to `now`. */
export function formatAgo(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 3) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

/** 13:04:05 in 24-hour time, for the event log. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "1 item" / "3 items". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
