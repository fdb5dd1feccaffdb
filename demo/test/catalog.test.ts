import { describe, expect, it } from 'vitest';
import { CartAddRequest, WatchReportRequest } from '../../client-sdk/src/protocol/index.ts';
import { PRODUCTS, VIDEOS, findProduct, findVideo, videoTitle } from '../src/catalog.ts';

describe('catalog', () => {
  it('has products the protocol accepts as cart lines, with unique skus', () => {
    expect(new Set(PRODUCTS.map((p) => p.sku)).size).toBe(PRODUCTS.length);
    for (const p of PRODUCTS) {
      expect(CartAddRequest.safeParse({ seq: 1, sku: p.sku, title: p.title, priceCents: p.priceCents, qty: 1 }).success).toBe(true);
    }
  });

  it('has videos the protocol accepts in watch reports, with unique ids', () => {
    expect(new Set(VIDEOS.map((v) => v.videoId)).size).toBe(VIDEOS.length);
    for (const v of VIDEOS) {
      const report = { seq: 1, videoId: v.videoId, positionSec: v.durationSec / 2, durationSec: v.durationSec, at: Date.now(), kind: 'seek' };
      expect(WatchReportRequest.safeParse(report).success).toBe(true);
    }
  });

  it('finds items by id and names unknown videos by their id', () => {
    expect(findProduct('mg-300')?.title).toBe('Ceramic mug');
    expect(findProduct('nope')).toBeUndefined();
    expect(findVideo('talk-sync')?.durationSec).toBe(2460);
    expect(videoTitle('cook-ramen')).toBe('Weeknight ramen');
    expect(videoTitle('someone-elses-video')).toBe('someone-elses-video');
  });
});
