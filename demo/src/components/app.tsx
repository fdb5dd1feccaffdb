import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeviceSession } from '../device-session.ts';
import { addEvent, recordChange, type LogEntry } from '../event-log.ts';
import { useConnection } from '../hooks.ts';
import { deviceLabeler } from '../view-model.ts';
import { ClusterPanel, useClusterPanel } from './cluster-panel.tsx';
import { DeviceFrame } from './device-frame.tsx';
import { EventLogPanel } from './event-log-panel.tsx';
import { ShopApp } from './shop-app.tsx';

export interface AppProps {
  phone: DeviceSession;
  laptop: DeviceSession;
  userId: string;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}

export function App(props: AppProps) {
  const { phone, laptop } = props;
  const sessions = useMemo(() => [phone, laptop], [phone, laptop]);
  const [log, setLog] = useState<LogEntry[]>([]);

  const labelOf = useMemo(() => {
    const frames = new Map(sessions.map((s) => [s.deviceId, s.spec.label]));
    return (deviceId: string) => deviceLabeler(frames, phone.client.devices.list())(deviceId);
  }, [sessions, phone]);

  useEffect(() => {
    const offs = sessions.flatMap((s) => {
      const label = s.spec.label;
      return [
        s.client.onChange((event) => {
          if (event.type === 'snapshot') {
            setLog((l) => addEvent(l, 'connection', `${label} loaded the state at v${event.version}`, { device: label, ...(event.nodeId ? { node: event.nodeId } : {}) }));
            return;
          }
          setLog((l) =>
            recordChange(l, event.change, { maker: labelOf(event.change.deviceId), receiver: label, own: event.own, source: event.source, node: event.nodeId }),
          );
        }),
        s.client.onStatus((status) => {
          const state = s.client.connection;
          const text =
            status === 'connected'
              ? `${label} connected`
              : state.status === 'offline'
                ? state.reason === 'manual'
                  ? `${label} went offline: changes wait in its outbox`
                  : state.reason === 'drain'
                    ? `${label} was asked to move to another node`
                    : `${label} lost its connection, reconnecting`
                : status === 'unauthorized'
                  ? `${label} was refused: ${state.status === 'unauthorized' ? state.error.code : 'unauthorized'}`
                  : null;
          // Every failed retry reports `offline` again: those lines collapse into one that counts.
          const retrying = state.status === 'offline' && state.reason === 'network';
          if (text) {
            setLog((l) =>
              addEvent(l, 'connection', text, {
                device: label,
                ...(status === 'connected' && s.client.nodeId ? { node: s.client.nodeId } : {}),
                ...(retrying ? { repeatKey: `${label}:retrying` } : {}),
              }),
            );
          }
        }),
        s.client.onError((error) => {
          if (!error.retryable) setLog((l) => addEvent(l, 'error', `${label}: ${describeError(error)}`, { device: label }));
        }),
      ];
    });
    return () => offs.forEach((off) => off());
  }, [sessions, labelOf]);

  const onError = useCallback((error: unknown) => {
    // Refusals are already in the log through onError; a closed client is not news.
    if (error instanceof Error && 'code' in error && error.code === 'closed') return;
  }, []);

  const phoneConnection = useConnection(phone.client);
  const laptopConnection = useConnection(laptop.client);
  const frames = useMemo(
    () => [
      { label: phone.spec.label, nodeId: phoneConnection.nodeId },
      { label: laptop.spec.label, nodeId: laptopConnection.nodeId },
    ],
    [phone, laptop, phoneConnection.nodeId, laptopConnection.nodeId],
  );
  const logCluster = useCallback((text: string, node: string) => setLog((l) => addEvent(l, 'cluster', text, { node })), []);
  const panel = useClusterPanel(frames, logCluster);

  return (
    <div className="page">
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            <i />
            <i />
          </span>
          <div>
            <h1>Tandem</h1>
            <p>One user, two devices, live: every change goes through a gateway node and shows up on the other device.</p>
          </div>
        </div>
        <div className="top-meta">
          <span className="meta-chip">
            user <strong>{props.userId}</strong>
          </span>
          <span className="meta-chip" data-testid="mode">
            {panel.model?.mode === 'control' ? 'cluster demo' : panel.model ? 'embedded single node' : '…'}
          </span>
        </div>
      </header>
      <main className="stage">
        <DeviceFrame session={phone}>
          <ShopApp session={phone} variant="phone" labelOf={labelOf} onError={onError} />
        </DeviceFrame>
        <DeviceFrame session={laptop}>
          <ShopApp session={laptop} variant="laptop" labelOf={labelOf} onError={onError} />
        </DeviceFrame>
        <div className="side">
          <ClusterPanel panel={panel} />
          <EventLogPanel entries={log} />
        </div>
      </main>
    </div>
  );
}
