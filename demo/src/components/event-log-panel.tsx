import type { LogEntry } from '../event-log.ts';
import { formatClock } from '../format.ts';

export function EventLogPanel(props: { entries: readonly LogEntry[] }) {
  return (
    <section className="card log" data-testid="event-log">
      <div className="card-head">
        <h2>Live events</h2>
        <span className="muted">what changed · version · node</span>
      </div>
      <ol className="log-list">
        {props.entries.length === 0 && <li className="empty">Waiting for the first change…</li>}
        {props.entries.map((e) => (
          <li key={e.id} className={`log-item log-${e.kind}`} data-testid="log-item" data-version={e.version ?? ''}>
            <span className="log-version">{e.version !== undefined ? `v${e.version}` : e.kind === 'cluster' ? 'node' : e.kind === 'error' ? 'error' : 'conn'}</span>
            <div className="log-body">
              <span className="log-text">
                {e.text}
                {e.count !== undefined && (
                  <span className="log-count" data-testid="log-count" title={`${e.count} times; the time is the last one`}>
                    ×{e.count}
                  </span>
                )}
              </span>
              <span className="log-meta">
                {formatClock(e.at)}
                {e.device ? ` · ${e.device}` : ''}
                {e.node ? ` via ${e.node}` : ''}
                {e.deliveries && e.deliveries.length > 0 ? ` → ${e.deliveries.join(', ')}` : ''}
              </span>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
