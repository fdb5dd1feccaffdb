/**
 * Splits a byte stream into whole WebSocket frames (RFC 6455), so the chaos proxy can delay, duplicate or hold
 * back whole messages without ever cutting a frame in two (which would corrupt the stream, not test the product).
 */
export interface WsFrame {
  /** The frame's bytes exactly as they came (header, mask and payload). */
  raw: Buffer;
  opcode: number;
  fin: boolean;
  /** The unmasked payload as text, for text frames (to recognise socket.io packets). */
  text: string | null;
}

export interface FrameSplitter {
  push(chunk: Buffer): WsFrame[];
}

export function createFrameSplitter(): FrameSplitter {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const frames: WsFrame[] = [];
      for (;;) {
        const frame = readFrame(pending);
        if (!frame) break;
        frames.push(frame.frame);
        pending = pending.subarray(frame.size);
      }
      return frames;
    },
  };
}

function readFrame(buf: Buffer): { frame: WsFrame; size: number } | null {
  if (buf.length < 2) return null;
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return null;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return null;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  const size = offset + length;
  if (buf.length < size) return null;
  const opcode = b0 & 0x0f;
  let text: string | null = null;
  if (opcode === 1) {
    const payload = Buffer.from(buf.subarray(offset, size));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (buf[maskOffset + (i % 4)] ?? 0);
    text = payload.toString('utf8');
  }
  return { frame: { raw: Buffer.from(buf.subarray(0, size)), opcode, fin: (b0 & 0x80) !== 0, text }, size };
}

/** Builds a masked client text frame (for raw WebSocket attacks and tests). */
export function maskedTextFrame(text: string, opcode = 1): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const header: number[] = [0x80 | opcode];
  if (payload.length < 126) header.push(0x80 | payload.length);
  else if (payload.length < 65536) header.push(0x80 | 126, payload.length >> 8, payload.length & 0xff);
  else {
    header.push(0x80 | 127);
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(payload.length));
    header.push(...len);
  }
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([Buffer.from(header), mask, body]);
}
