import { describe, expect, it } from 'vitest';
import { formatAgo, formatClock, formatDuration, formatPrice, percent, plural, remainingLabel } from '../src/format.ts';

describe('format', () => {
  it('formats cents as dollars', () => {
    expect(formatPrice(12_900)).toBe('$129.00');
    expect(formatPrice(5)).toBe('$0.05');
    expect(formatPrice(123_456_789)).toBe('$1,234,567.89');
  });

  it('formats durations as m:ss or h:mm:ss and floors odd input at zero', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.9)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-4)).toBe('0:00');
  });

  it('turns a position into a clamped whole percentage', () => {
    expect(percent(30, 120)).toBe(25);
    expect(percent(500, 120)).toBe(100);
    expect(percent(10, 0)).toBe(0);
  });

  it('says how much is left', () => {
    expect(remainingLabel(100, 100)).toBe('Finished');
    expect(remainingLabel(70, 100)).toBe('30 s left');
    expect(remainingLabel(0, 1512)).toBe('25 min left');
  });

  it('says how long ago something happened', () => {
    const now = 1_000_000;
    expect(formatAgo(now - 1000, now)).toBe('just now');
    expect(formatAgo(now - 12_000, now)).toBe('12 s ago');
    expect(formatAgo(now - 180_000, now)).toBe('3 min ago');
    expect(formatAgo(now - 7_200_000, now)).toBe('2 h ago');
    expect(formatAgo(now + 5000, now)).toBe('just now');
  });

  it('prints a 24-hour clock and plurals', () => {
    expect(formatClock(new Date(2024, 0, 1, 9, 5, 3).getTime())).toBe('09:05:03');
    expect(plural(1, 'item')).toBe('1 item');
    expect(plural(3, 'item')).toBe('3 items');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
