import { performance } from 'node:perf_hooks';
import { type ClientOptions, WebSocket } from 'ws';

/** 120 characters, as in perf.md §6. */
export const MESSAGE_BODY = 'Benchmark message body. '.repeat(5);

const RECEIVE_TIMEOUT_MS = 15_000;
const CONNECT_CONCURRENCY = 20;

export interface Pair {
  sender: WebSocket;
  recipient: WebSocket;
  toUserId: string;
}

interface Waiter {
  sentAt: number;
  resolve: (latencyMs: number) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface LoopResult {
  /** send → recipient-receive, one per delivered message, in ms. */
  samples: number[];
  elapsedMs: number;
  messagesPerSecond: number;
  /** CPU (user + system) of this whole process per delivered message: clients, server side and handlers. */
  cpuMsPerMessage: number;
}

/**
 * Client side of one variant: every socket's frames go through here. A `message` frame resolves the waiter
 * of its clientMsgId (timestamped before parsing); `ack`s are counted; an `error` frame fails the run, since
 * timing error paths would make the figure meaningless. Other frames (presence) are ignored.
 */
export class FrameTracker {
  private readonly waiters = new Map<string, Waiter>();
  sent = 0;
  acked = 0;
  readonly errors: unknown[] = [];
  private readonly ackWaiters: (() => void)[] = [];

  attach(ws: WebSocket): void {
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as {
        type?: string;
        message?: { clientMsgId?: string };
        code?: string;
      };
      if (frame.type === 'message') {
        const id = frame.message?.clientMsgId ?? '';
        const waiter = this.waiters.get(id);
        if (!waiter) return;
        this.waiters.delete(id);
        clearTimeout(waiter.timer);
        waiter.resolve(at - waiter.sentAt);
      } else if (frame.type === 'ack') {
        this.acked += 1;
        if (this.acked >= this.sent) for (const wake of this.ackWaiters.splice(0)) wake();
      } else if (frame.type === 'error') {
        this.errors.push(frame);
        for (const [id, waiter] of this.waiters) {
          this.waiters.delete(id);
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`error frame: ${JSON.stringify(frame)}`));
        }
      }
    });
  }

  /** Sends one `sendMessage` frame and resolves with its send → recipient-receive latency. */
  send(pair: Pair, clientMsgId: string): Promise<number> {
    const frame = JSON.stringify({
      action: 'sendMessage',
      to: pair.toUserId,
      body: MESSAGE_BODY,
      clientMsgId,
    });
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(clientMsgId);
        reject(new Error(`message ${clientMsgId} not received within ${RECEIVE_TIMEOUT_MS} ms`));
      }, RECEIVE_TIMEOUT_MS);
      this.waiters.set(clientMsgId, { sentAt: performance.now(), resolve, reject, timer });
      this.sent += 1;
      pair.sender.send(frame);
    });
  }

  /** Resolves once every sent message has been acked (the app's handlers have finished their work). */
  allAcked(timeoutMs = 10_000): Promise<void> {
    if (this.acked >= this.sent) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.acked} of ${this.sent} messages acked`)),
        timeoutMs,
      );
      this.ackWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Closed loop: every pair sends its next message as soon as the previous one reached the recipient, until
 * `durationMs` has passed (messages in flight then still complete and count).
 */
export async function closedLoop(
  tracker: FrameTracker,
  pairs: readonly Pair[],
  durationMs: number,
  tag: string,
): Promise<LoopResult> {
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    pairs.map(async (pair, index) => {
      for (let n = 0; performance.now() < deadline; n++) {
        samples.push(await tracker.send(pair, `${tag}-${index}-${n}`));
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    samples,
    elapsedMs,
    messagesPerSecond: (samples.length * 1000) / elapsedMs,
    cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / samples.length,
  };
}

/** One socket, open; rejects with the status when the handshake is refused. */
export function openOne(url: string, options: ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
}

/** Opens sockets a few at a time (a burst of hundreds of handshakes is not what is being measured). */
export async function openAll(
  targets: readonly { url: string; options?: ClientOptions }[],
  tracker: FrameTracker,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index];
      if (!target) continue;
      const ws = await openOne(target.url, target.options ?? {});
      tracker.attach(ws);
      sockets[index] = ws;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, targets.length) }, worker));
  return sockets;
}

export async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
        }),
    ),
  );
}
