/** How the load process talks to one system: connect a device, send a change, report what arrives. */

export type DriverKind = 'floor' | 'socketio' | 'hocuspocus' | 'product' | 'product-sdk';

export interface DeviceSpec {
  userId: string;
  deviceId: string;
  url: string;
}

/** What a connected device reports back to the load runner. */
export interface DeviceEvents {
  /** A change made by device `from` with sequence number `seq` reached device `to`. */
  change(to: string, from: string, seq: number): void;
  /** The system refused or failed a change `seq` of `deviceId` (only systems that acknowledge). */
  failed(deviceId: string, seq: number, code: string): void;
  /** The system acknowledged change `seq` of `deviceId` (only systems that acknowledge). */
  acked(deviceId: string, seq: number): void;
  /** The connection of `deviceId` dropped. */
  dropped(deviceId: string, reason: string): void;
}

export interface DriverDevice {
  readonly deviceId: string;
  /** Sends the device's change number `seq` (1, 2, 3… per device). */
  send(seq: number): void;
  close(): void;
}

export interface Driver {
  readonly kind: DriverKind;
  /**
   * Whether a change supersedes the earlier ones of the same sender (state sync: a receiver that sees
   * change n also has every change before it, even when the system merged them into one update).
   */
  readonly cumulative: boolean;
  connect(spec: DeviceSpec, events: DeviceEvents): Promise<DriverDevice>;
}

const TITLE = 'Bench item: a reasonably long product title, as a shop would show it';

/** The change every baseline carries, shaped and sized like the product's `change` push (≈ 300 bytes of JSON). */
export function benchChange(deviceId: string, seq: number): Record<string, unknown> {
  const sku = `sku-${String(seq % 50).padStart(5, '0')}`;
  return {
    epoch: 'e-0f3c9a7d41b24c8e',
    version: seq,
    deviceId,
    seq,
    at: Date.now(),
    op: { type: 'cart:line', sku, line: { sku, title: TITLE, priceCents: 1999, qty: 1 + (seq % 7) } },
  };
}

export function skuOf(seq: number): string {
  return `sku-${String(seq % 50).padStart(5, '0')}`;
}

export { TITLE as BENCH_TITLE };

