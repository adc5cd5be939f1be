import { type ClientOptions, WebSocket } from 'ws';
import type { ServerFrameOf, ServerFrameType } from '../../shared/contract/wire.js';
import { pollUntil } from './poll.js';

interface ReceivedFrame {
  text: string;
  isBinary: boolean;
}

export interface TestSocket {
  ws: WebSocket;
  frames: ReceivedFrame[];
  closed: Promise<{ code: number; reason: string }>;
  /** Frames parsed as JSON (a frame that is not JSON is kept as its text). */
  json(): unknown[];
  /** Waits for the first frame (already received or still to come) that matches. */
  waitForFrame(match: (frame: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  send(data: unknown): void;
  close(): Promise<void>;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Opens a `ws` client and records every frame it receives. */
export function openSocket(url: string, options: ClientOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, options);
  const frames: ReceivedFrame[] = [];
  ws.on('message', (data, isBinary) => frames.push({ text: String(data), isBinary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const socket: TestSocket = {
    ws,
    frames,
    closed,
    json: () => frames.map((frame) => parse(frame.text)),
    waitForFrame: (match, timeoutMs = 5_000) =>
      pollUntil(() => socket.json().find(match), { timeoutMs, what: 'a matching frame' }),
    send: (data) => ws.send(typeof data === 'string' ? data : JSON.stringify(data)),
    async close() {
      if (ws.readyState !== WebSocket.CLOSED) ws.close(1000);
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
  });
}

/** Attempts a handshake that the gateway must refuse; resolves with the HTTP status and body. */
export function rejectedHandshake(
  url: string,
  options: ClientOptions = {},
): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url, options);
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('handshake unexpectedly succeeded'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
  });
}

/** Narrows a parsed frame by its `type` to the contract's frame of that type (the type must exist there). */
export const isFrameOfType =
  <T extends ServerFrameType>(type: T) =>
  (frame: unknown): frame is ServerFrameOf<T> =>
    typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === type;
