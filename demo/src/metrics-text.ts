/** A small reader for the Prometheus text format, enough to pull a gauge out of a node's /metrics. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name = '', labelText = '', valueText = ''] = match;
    const value = Number(valueText);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of labelText.matchAll(LABEL)) {
      const [, key = '', v = ''] = l;
      labels[key] = v.replace(/\\(.)/g, '$1');
    }
    samples.push({ name, labels, value });
  }
  return samples;
}

/** Names tried in order for "open client connections" (the gateway's gauge first). */
export const CONNECTION_GAUGES = [
  'tandem_connections',
  'tandem_socket_connections',
  'tandem_connected_sockets',
  'socketio_connected',
] as const;

/** The number of open client connections a node reports, or null when its metrics have no such gauge. */
export function connectionCount(text: string): number | null {
  const samples = parseMetrics(text);
  for (const name of CONNECTION_GAUGES) {
    const found = samples.filter((s) => s.name === name);
    if (found.length > 0) return found.reduce((sum, s) => sum + s.value, 0);
  }
  const fallback = samples.filter((s) => /connections?$/.test(s.name) && !s.name.endsWith('_total'));
  if (fallback.length > 0) return fallback.reduce((sum, s) => sum + s.value, 0);
  return null;
}
