import WebSocket from 'ws';

/**
 * One engine.io v4 WebSocket spoken by hand, below socket.io-client: lets a test pipeline socket.io CONNECT
 * packets or send pongs nobody asked for, as an attacker would. Answers the server's pings unless told not to.
 */
export interface RawConnection {
  /** socket.io packets received (the text after the engine.io `4`), in order. */
  readonly packets: string[];
  /** Sends one socket.io packet, e.g. `0{"token":...}` for a CONNECT. */
  send(packet: string): void;
  /** Sends a raw engine.io frame, e.g. `3` (a pong). */
  sendFrame(frame: string): void;
  readonly ws: WebSocket;
  /** Resolves when the server closed the WebSocket. */
  readonly closed: Promise<void>;
  close(): void;
}

export function openRaw(url: string, options: { answerPings?: boolean; headers?: Record<string, string> } = {}): Promise<RawConnection> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: options.headers ?? {} });
  const packets: string[] = [];
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('0')) {
        resolve({
          packets,
          send: (packet) => ws.send(`4${packet}`),
          sendFrame: (frame) => ws.send(frame),
          ws,
          closed,
          close: () => ws.terminate(),
        });
      } else if (text === '2') {
        if (options.answerPings !== false) ws.send('3');
      } else if (text.startsWith('4')) packets.push(text.slice(1));
    });
  });
}

/** A socket.io CONNECT packet to the default namespace with this handshake auth. */
export function connectPacket(auth: Record<string, unknown>): string {
  return `0${JSON.stringify(auth)}`;
}
