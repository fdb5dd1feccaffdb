import { useState, type ReactNode } from 'react';
import type { DeviceSession } from '../device-session.ts';
import { useConnection } from '../hooks.ts';
import { statusView } from '../view-model.ts';
import { Icon } from './icons.tsx';

/** A device on the page: its connection bar (node, status, outbox, offline switch) and the device itself. */
export function DeviceFrame(props: { session: DeviceSession; children: ReactNode }) {
  const { client, spec, deviceId } = props.session;
  const connection = useConnection(client);
  const [manualOffline, setManualOffline] = useState(false);
  const view = statusView({ status: connection.status, nodeId: connection.nodeId, pending: connection.pending, manualOffline });

  const toggleOffline = () => {
    if (manualOffline) client.goOnline();
    else client.goOffline();
    setManualOffline(!manualOffline);
  };

  return (
    <section className={`device device-${spec.kind}`} data-testid={`frame-${spec.key}`} data-status={connection.status} data-node={connection.nodeId ?? ''}>
      <div className="device-bar">
        <div className="device-name">
          <Icon name={spec.kind} size={18} />
          <div>
            <strong>{spec.label}</strong>
            <span className="muted mono">{deviceId}</span>
          </div>
          <label className="switch" title="Disconnect this device; changes wait in its outbox" data-testid="offline-switch">
            <input type="checkbox" role="switch" checked={manualOffline} onChange={toggleOffline} data-testid="offline-toggle" />
            <span className="switch-track" />
            Offline
          </label>
        </div>
        <div className="device-meta">
          <span className={`status status-${view.tone}`} data-testid="status">
            <span className="dot" />
            {view.label}
          </span>
          <span className="meta-chip" data-testid="node" title="Gateway node this device is connected to">
            <Icon name="server" size={13} />
            {connection.nodeId ?? '—'}
          </span>
          {connection.status === 'offline' && !manualOffline && (
            <button className="retry-btn" onClick={() => client.reconnectNow()} data-testid="retry-now" title="Skip the wait of the reconnect backoff and try now">
              Retry now
            </button>
          )}
          <span className={`meta-chip${connection.pending > 0 ? ' warn' : ''}`} data-testid="pending" data-pending={connection.pending} title="Changes in the outbox, not yet acknowledged">
            {connection.pending} pending
          </span>
        </div>
      </div>
      <div className="device-shell">
        {spec.kind === 'laptop' && (
          <div className="window-bar">
            <span className="lights">
              <i />
              <i />
              <i />
            </span>
            <span className="url">shop.tandem.example</span>
          </div>
        )}
        {spec.kind === 'phone' && <div className="notch" />}
        <div className="device-screen">{props.children}</div>
      </div>
    </section>
  );
}
