import type { Duplex } from 'node:stream';

export interface FrameHeader {
  opcode: number;
  payloadLength: number;
}

/**
 * `ws` only reports whole messages, but API Gateway limits single frames (32 KB) separately from
 * messages (128 KB). This reads the client→server frame headers off the raw socket, ahead of `ws`
 * (prepended listener), so an oversized frame is seen before `ws` assembles the message.
 * Returns a function that stops watching.
 */
export function watchFrames(socket: Duplex, onFrame: (frame: FrameHeader) => void): () => void {
  let pending: Buffer = Buffer.alloc(0);
  let skip = 0;

  const onData = (chunk: Buffer): void => {
    const buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let offset = 0;
    while (offset < buf.length) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - offset);
        skip -= n;
        offset += n;
        continue;
      }
      const header = parseHeader(buf, offset);
      if (header === undefined) {
        pending = Buffer.from(buf.subarray(offset));
        return;
      }
      offset += header.headerLength;
      skip = header.payloadLength;
      onFrame({ opcode: header.opcode, payloadLength: header.payloadLength });
    }
  };

  socket.prependListener('data', onData);
  return () => socket.off('data', onData);
}

function parseHeader(buf: Buffer, offset: number) {
  const first = buf[offset];
  const second = buf[offset + 1];
  if (first === undefined || second === undefined) return undefined;
  const len7 = second & 0x7f;
  const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  const headerLength = 2 + extended + (second & 0x80 ? 4 : 0);
  if (buf.length - offset < headerLength) return undefined;
  let payloadLength = len7;
  if (len7 === 126) payloadLength = buf.readUInt16BE(offset + 2);
  if (len7 === 127) payloadLength = Number(buf.readBigUInt64BE(offset + 2));
  return { opcode: first & 0x0f, payloadLength, headerLength };
}
