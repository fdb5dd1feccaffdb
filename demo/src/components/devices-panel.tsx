import type { Device } from '../../../client-sdk/src/index.ts';
import type { ConnectionSnapshot } from '../hooks.ts';
import { deviceRows } from '../view-model.ts';
import { Icon } from './icons.tsx';

/** The user's devices as this device knows them: while it is not connected, nobody shows online. */
export function DevicesPanel(props: { devices: readonly Device[]; labelOf: (deviceId: string) => string; self: string; connection: ConnectionSnapshot }) {
  const connected = props.connection.status === 'connected';
  const rows = deviceRows(props.devices, props.labelOf, Date.now(), { self: props.self, connected }).slice(0, 4);
  return (
    <section className="section devices" data-testid="devices">
      <h3>Your devices</h3>
      <ul className="device-rows">
        {rows.map((row) => (
          <li
            key={row.deviceId}
            className={row.online ? '' : 'is-offline'}
            data-testid="device-row"
            data-device={row.deviceId}
            data-online={String(row.online)}
            data-self={String(row.deviceId === props.self)}
          >
            <Icon name={row.kind === 'phone' ? 'phone' : 'laptop'} size={15} />
            <span className="device-row-text">
              <strong>
                {row.label}
                {row.deviceId === props.self && <span className="muted"> · this device</span>}
              </strong>
              <span className="muted" data-testid="device-detail">
                {row.detail}
              </span>
            </span>
            <span className={`status status-${row.online ? 'ok' : 'off'}`}>
              <span className="dot" />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
