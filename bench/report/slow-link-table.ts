import type { SlowLinkResult } from './types.ts';

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value).toLocaleString('en-US')} ms`);

/** The slow-link step as a markdown table, and whether the target was met. */
export function slowLinkTable(result: SlowLinkResult): string {
  const lines = [
    '| round trip | offline edits | acknowledged after going online (SDK) | pushes | one mutation per round trip | live change p50 / max |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const link of result.links) {
    link.drains.forEach((drain, i) => {
      const live = i === 0 ? `${ms(link.live.p50)} / ${ms(link.live.max)}` : '';
      lines.push(`| ${link.rttMs} ms | ${drain.edits.toLocaleString('en-US')} | ${ms(drain.sdkMs)} | ${drain.pushes} | ${ms(drain.sequentialMs)} | ${live} |`);
    });
  }
  const { rttMs, edits, withinMs } = result.target;
  const measured = result.links.find((l) => l.rttMs === rttMs)?.drains.find((d) => d.edits === edits)?.sdkMs ?? null;
  const verdict = measured === null ? 'not measured' : measured <= withinMs ? 'met' : `missed by ${ms(measured - withinMs)}`;
  lines.push('', `target: ${edits} offline edits over a ${rttMs} ms round trip acknowledged within ${ms(withinMs)} of going online (reconnect and sync included): ${ms(measured)}, ${verdict}`);
  return lines.join('\n');
}
