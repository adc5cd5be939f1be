/**
 * A bounded load test over loopback: 25 pairs of users, two devices each (100 sockets), every socket sending
 * 50 messages to its peer, one after another (each after the previous ack, paced to stay under the per-socket
 * frame limit). Checks that every message is stored exactly once, delivered to every socket that should get it
 * (a repeat is the same message: pushes are at least once, clients dedupe by id), and kept in each sender's
 * order. Skipped against a remote stage unless E2E_LOAD=1 (it registers 50 users and sends 5,000 messages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl } from '../support/e2e-http.js';
import { type ChatMessage, closeAllSockets, type FrameOf, type WsClient, wsUrl } from '../support/e2e-ws.js';
import {
  anotherDevice,
  type ChatUser,
  chatUser,
  compareIds,
  connectAs,
  fullHistory,
  sendMessageFrame,
} from '../support/e2e-ws-chat.js';

const PAIRS = 25;
const MESSAGES_PER_SOCKET = 50;
/** About 180 messages/s in all: enough to load two cores, without starving the rest of the machine. */
const SEND_INTERVAL_MS = 550;
/**
 * WS_FRAME_LIMIT is 30 frames per 10 s window per socket. A frame is counted between its send and its ack, so a
 * socket sends frame n only once WINDOW_MS have passed since the ack of frame n - WINDOW_FRAMES: then no 10 s
 * window can hold more than WINDOW_FRAMES of its frames, however slow the acks are.
 */
const WINDOW_FRAMES = 25;
const WINDOW_MS = 10_500;
const ACK_DEADLINE_MS = 20_000;
const DELIVERY_DEADLINE_MS = 20_000;
const SETUP_CONCURRENCY = 8;
const LOAD_DEADLINE_MS = 60_000;

const isLoopback = (): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(apiUrl()).hostname);
const enabled = (): boolean => isLoopback() || process.env.E2E_LOAD === '1';

interface Device {
  user: ChatUser;
  peer: ChatUser;
  socket: WsClient;
  label: string;
  /** Server ids of this socket's messages, in the order it sent them. */
  sentIds: string[];
  sentClientMsgIds: string[];
  ackLatenciesMs: number[];
  ackedAt: number[];
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Sends this device's messages one at a time: each after the previous ack, the interval and the window. */
async function sendAll(device: Device): Promise<void> {
  // Staggered starts, so the sockets do not all send in the same millisecond.
  let nextSendAt = Date.now() + Math.random() * SEND_INTERVAL_MS;
  for (let n = 1; n <= MESSAGES_PER_SOCKET; n++) {
    const windowOpensAt = (device.ackedAt[n - 1 - WINDOW_FRAMES] ?? 0) + WINDOW_MS;
    const wait = Math.max(nextSendAt, windowOpensAt) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextSendAt = Date.now() + SEND_INTERVAL_MS;
    const clientMsgId = `${device.label}-${n}`;
    const started = performance.now();
    sendMessageFrame(device.socket, device.peer.id, `${device.label} says ${n}`, clientMsgId);
    const answer = await device.socket.waitFor(
      (candidate): candidate is FrameOf<'ack'> | FrameOf<'error'> =>
        (candidate.type === 'ack' || candidate.type === 'error') && candidate.clientMsgId === clientMsgId,
      ACK_DEADLINE_MS,
    );
    if (answer.type === 'error')
      throw new Error(`${clientMsgId} was refused: ${answer.code} ${answer.detail}`);
    device.ackedAt.push(Date.now());
    device.ackLatenciesMs.push(performance.now() - started);
    device.sentIds.push(answer.message.id);
    device.sentClientMsgIds.push(clientMsgId);
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

describe.skipIf(!enabled())(`chat under load: ${PAIRS * 4} sockets × ${MESSAGES_PER_SOCKET} messages`, () => {
  const devices: Device[] = [];
  const pairs: [ChatUser, ChatUser][] = [];

  beforeAll(async () => {
    wsUrl(); // fails, naming WS_URL, when the stage under test has no WebSocket API
    const users = await mapLimit(
      Array.from({ length: PAIRS * 2 }, (_, index) => index),
      SETUP_CONCURRENCY,
      () => chatUser(),
    );
    for (let index = 0; index < PAIRS; index++) {
      const left = users[2 * index];
      const right = users[2 * index + 1];
      if (!left || !right) throw new Error('users missing');
      pairs.push([left, right]);
    }
    const plans = pairs.flatMap(([left, right], pair) => [
      { user: left, peer: right, label: `p${pair}-a-1` },
      { user: left, peer: right, label: `p${pair}-a-2` },
      { user: right, peer: left, label: `p${pair}-b-1` },
      { user: right, peer: left, label: `p${pair}-b-2` },
    ]);
    const connected = await mapLimit(plans, SETUP_CONCURRENCY, async (plan) => {
      // The first device uses the user's first session and a ticket; the second its own session and Bearer.
      const second = plan.label.endsWith('-2');
      const session = second ? await anotherDevice(plan.user) : plan.user;
      const socket = await connectAs(session, second ? 'bearer' : 'ticket', plan.label);
      return {
        ...plan,
        socket,
        sentIds: [],
        sentClientMsgIds: [],
        ackLatenciesMs: [],
        ackedAt: [],
      } satisfies Device;
    });
    devices.push(...connected);
  });

  afterAll(async () => {
    await closeAllSockets();
  });

  it(
    'stores every message once, delivers it to every other socket of both users, in send order',
    async () => {
      const started = performance.now();
      await Promise.all(devices.map((device) => sendAll(device)));
      const sendMs = performance.now() - started;

      // Who should have received what: the peer's messages (both devices) and the user's other device's.
      const expectedBySocket = new Map<WsClient, Set<string>>();
      for (const device of devices) {
        const expected = devices
          .filter((other) => other !== device && (other.user === device.peer || other.user === device.user))
          .flatMap((other) => other.sentIds);
        expectedBySocket.set(device.socket, new Set(expected));
      }
      const distinctMessages = (socket: WsClient): Set<string> =>
        new Set(socket.all('message').map((pushed) => pushed.message.id));
      await Promise.all(
        devices.map((device) =>
          device.socket.waitFor(
            () => distinctMessages(device.socket).size >= (expectedBySocket.get(device.socket)?.size ?? 0),
            DELIVERY_DEADLINE_MS,
          ),
        ),
      );
      // A ping answered on every socket: anything pushed before it (a stray extra message, say) has arrived.
      await Promise.all(devices.map((device) => device.socket.roundTrip(DELIVERY_DEADLINE_MS)));
      const totalMs = performance.now() - started;

      let repeats = 0;
      for (const device of devices) {
        const pushed = device.socket.all('message').map((frame) => frame.message);
        expect(new Set(pushed.map((message) => message.id)), `${device.label}: the right messages`).toEqual(
          expectedBySocket.get(device.socket),
        );
        // Pushes are at least once (a push whose answer timed out is retried), so a client dedupes by id; a
        // repeat must be the very same message, never a second copy with a new id or other content.
        const firstById = new Map<string, ChatMessage>();
        for (const message of pushed) {
          const first = firstById.get(message.id);
          if (first === undefined) firstById.set(message.id, message);
          else {
            repeats += 1;
            expect(message, `${device.label}: a repeated push is the same message`).toEqual(first);
          }
        }
        expect(device.socket.all('error'), `${device.label}: no error frames`).toEqual([]);
        expect(device.socket.all('ack').filter((ack) => ack.duplicate)).toEqual([]);
        // Sent one at a time, so the server ids grow in send order.
        for (let n = 1; n < device.sentIds.length; n++) {
          expect(compareIds(device.sentIds[n] ?? '', device.sentIds[n - 1] ?? '')).toBeGreaterThan(0);
        }
      }

      for (const [left, right] of pairs) {
        const { messages } = await fullHistory(left, right.id, 100);
        const conversation = devices.filter((device) => device.user === left || device.user === right);
        const sent = conversation.flatMap((device) => device.sentIds);
        const ids = messages.map((message) => message.id);

        expect(messages).toHaveLength(conversation.length * MESSAGES_PER_SOCKET);
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(sent));
        // Newest first, strictly.
        for (let n = 1; n < ids.length; n++)
          expect(compareIds(ids[n - 1] ?? '', ids[n] ?? '')).toBeGreaterThan(0);
        // Each socket's messages appear in the order it sent them, with what it sent.
        const byClientMsgId = new Map<string, ChatMessage>(
          messages.map((message) => [message.clientMsgId, message]),
        );
        for (const device of conversation) {
          const stored = device.sentClientMsgIds.map((clientMsgId) => byClientMsgId.get(clientMsgId));
          expect(stored.map((message) => message?.id)).toEqual(device.sentIds);
          expect(
            stored.every((message) => message?.from === device.user.id && message.to === device.peer.id),
          ).toBe(true);
        }
      }

      const latencies = devices.flatMap((device) => device.ackLatenciesMs);
      console.info(
        `[chat-load] ${latencies.length} messages from ${devices.length} sockets: sending ${Math.round(sendMs)} ms, ` +
          `all delivered after ${Math.round(totalMs)} ms; ack latency p50 ${Math.round(percentile(latencies, 50))} ms, ` +
          `p95 ${Math.round(percentile(latencies, 95))} ms, max ${Math.round(percentile(latencies, 100))} ms; ` +
          `${repeats} repeated pushes`,
      );
      expect(latencies).toHaveLength(devices.length * MESSAGES_PER_SOCKET);
    },
    LOAD_DEADLINE_MS,
  );
});
