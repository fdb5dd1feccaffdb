import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_DATA, EVENT_TYPES } from '../../server/webhooks/events.ts';

// The README's event catalogue is what receivers code against: each sample must be what the node sends.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Webhooks'), readme.indexOf('\n## ', readme.indexOf('## Webhooks') + 5));
const samples = (/One sample body each:\n\n```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '').trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string; timestamp: string; data: unknown });

describe('README webhook catalogue', () => {
  it('has one sample body per event type, in the catalogue order', () => {
    expect(samples.map((s) => s.type)).toEqual([...EVENT_TYPES]);
  });

  it('lists every event type in its table', () => {
    for (const type of EVENT_TYPES) expect(section).toContain(`| \`${type}\` |`);
  });

  it('shows bodies whose data the event schemas accept', () => {
    for (const sample of samples) {
      expect(Object.keys(sample)).toEqual(['id', 'type', 'timestamp', 'data']);
      expect(new Date(sample.timestamp).toISOString()).toBe(sample.timestamp);
      const schema = EVENT_DATA[sample.type as keyof typeof EVENT_DATA];
      expect(schema.safeParse(sample.data).success, sample.type).toBe(true);
    }
  });
});
