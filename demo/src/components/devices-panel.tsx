import type { Device } from '../../../client-sdk/src/index.ts';
import { deviceRows } from '../view-model.ts';
import { Icon } from './icons.tsx';

export function DevicesPanel(props: { devices: readonly Device[]; labelOf: (deviceId: string) => string; self: string }) {
  const rows = deviceRows(props.devices, props.labelOf, Date.now()).slice(0, 4);
  return (
    <section className="section devices" data-testid="devices">
      <h3>Your devices</h3>
      <ul className="device-rows">
        {rows.map((row) => (
          <li key={row.deviceId} className={row.online ? '' : 'is-offline'}>
            <Icon name={row.kind === 'phone' ? 'phone' : 'laptop'} size={15} />
            <span className="device-row-text">
              <strong>
                {row.label}
                {row.deviceId === props.self && <span className="muted"> · this device</span>}
              </strong>
              <span className="muted">{row.detail}</span>
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
