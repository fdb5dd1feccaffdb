import { useCallback, useEffect, useRef, useState } from 'react';
import { CONTROL_API, type ClusterInfo } from '../cluster-types.ts';
import { mergeObservation, observe, panelFromControl, panelFromObservations, type Observation, type PanelModel, type PanelNode } from '../cluster-view.ts';
import { Icon } from './icons.tsx';

const POLL_MS = 1500;
/** Set by the demo's balancer on gateway answers: the control endpoint exists (see demo/cluster). */
const CONTROL_HEADER = 'x-tandem-demo-control';

type Frames = ReadonlyArray<{ label: string; nodeId: string | null }>;

async function readJson(response: Response): Promise<unknown> {
  return response.headers.get('content-type')?.includes('json') ? response.json() : null;
}

/** Polls the control endpoint when the page runs in `npm run demo`, otherwise /readyz. */
export function useClusterPanel(frames: Frames, log: (text: string, node: string) => void) {
  const [control, setControl] = useState<boolean | null>(null);
  const [info, setInfo] = useState<ClusterInfo | null>(null);
  const [seen, setSeen] = useState<ReadonlyMap<string, Observation>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const controlRef = useRef<boolean | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        if (controlRef.current !== true) {
          // /metrics lives on the admin listener, which a page cannot reach: /readyz names the node and its health.
          const ready = await fetch('/readyz', { cache: 'no-store' });
          if (ready.headers.has(CONTROL_HEADER)) controlRef.current = true;
          else {
            controlRef.current = false;
            const observation = observe(await readJson(ready), ready.status, null, Date.now());
            if (observation && !stopped) setSeen((known) => mergeObservation(known, observation));
          }
          if (!stopped) setControl(controlRef.current);
        }
        if (controlRef.current) {
          const response = await fetch(CONTROL_API.cluster, { cache: 'no-store' });
          if (response.ok && !stopped) setInfo((await response.json()) as ClusterInfo);
        }
      } catch {
        // The balancer or node is briefly away: keep the last picture and ask again.
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const act = useCallback(
    async (node: string, action: 'kill' | 'restart' | 'start') => {
      setBusy(`${action}:${node}`);
      log(
        action === 'kill'
          ? `${node} killed (kill -9): its devices reconnect to another node`
          : action === 'start'
            ? `${node} starting`
            : `${node} draining (its devices move to other nodes), then starting again`,
        node,
      );
      try {
        // The control endpoint's restart starts a stopped node and drains a running one first.
        const response = await fetch(action === 'kill' ? CONTROL_API.kill(node) : CONTROL_API.restart(node), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        if (response.ok) setInfo((await response.json()) as ClusterInfo);
        if (!response.ok) log(`${node}: the control endpoint refused (HTTP ${response.status})`, node);
      } finally {
        setBusy(null);
      }
    },
    [log],
  );

  const model: PanelModel | null =
    control === null ? null : control && info ? panelFromControl(info, frames) : control ? null : panelFromObservations(seen, frames, Date.now());
  return {
    model,
    busy,
    kill: (node: string) => act(node, 'kill'),
    /** Drains a running node, then starts it again. */
    restart: (node: string) => act(node, 'restart'),
    /** Starts a killed, crashed or stopped node. */
    start: (node: string) => act(node, 'start'),
  };
}

function health(node: PanelNode): { label: string; tone: string } {
  if (node.state === 'killed') return { label: 'killed', tone: 'bad' };
  if (node.state === 'exited') return { label: 'crashed', tone: 'bad' };
  if (node.state === 'starting') return { label: 'starting', tone: 'busy' };
  if (node.state === 'draining') return { label: 'draining', tone: 'busy' };
  if (node.state === 'stopped') return { label: 'stopped', tone: 'off' };
  if (node.healthy === false) return { label: 'not ready', tone: 'busy' };
  if (node.healthy === null) return { label: 'unknown', tone: 'off' };
  return { label: 'healthy', tone: 'ok' };
}

export function ClusterPanel(props: { panel: ReturnType<typeof useClusterPanel> }) {
  const { model, busy } = props.panel;
  return (
    <section className="card cluster" data-testid="cluster" data-mode={model?.mode ?? 'loading'}>
      <div className="card-head">
        <h2>Cluster</h2>
        <span className="muted">{model?.summary ?? 'looking…'}</span>
      </div>
      <ul className="nodes">
        {model?.nodes.map((node) => {
          const h = health(node);
          const down = node.state === 'killed' || node.state === 'exited' || node.state === 'stopped';
          return (
            <li key={node.id} className={`node${down ? ' down' : ''}`} data-testid={`node-${node.id}`} data-state={node.state}>
              <span className={`status status-${h.tone}`}>
                <span className="dot" />
              </span>
              <div className="node-text">
                <strong>
                  {node.id}
                  <span className="muted mono">{node.address}</span>
                </strong>
                <span className="muted">
                  {h.label}
                  {node.connections === null ? '' : ` · ${node.connections} connection${node.connections === 1 ? '' : 's'}`}
                </span>
              </div>
              <div className="node-devices">
                {node.devices.map((d) => (
                  <span key={d} className="device-tag">
                    {d}
                  </span>
                ))}
              </div>
              {node.controllable && (
                <div className="node-actions">
                  <button className="danger-btn" disabled={down || busy !== null} onClick={() => void props.panel.kill(node.id)} data-testid={`kill-${node.id}`} title="kill -9 the process">
                    <Icon name="bolt" size={13} />
                    Kill
                  </button>
                  <button
                    className="ghost-btn"
                    disabled={busy !== null || node.state === 'starting' || node.state === 'draining'}
                    onClick={() => void (down ? props.panel.start(node.id) : props.panel.restart(node.id))}
                    data-testid={`restart-${node.id}`}
                    data-action={down ? 'start' : 'restart'}
                    title={down ? 'Start the process again' : 'Drain it (SIGTERM: its devices move to other nodes), then start it again'}
                  >
                    <Icon name="restart" size={13} />
                    {down ? 'Start' : 'Drain & restart'}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {model?.mode === 'observed' && <p className="hint">Kill and restart buttons come with the 3-node cluster: <code>npm run demo</code>.</p>}
    </section>
  );
}
