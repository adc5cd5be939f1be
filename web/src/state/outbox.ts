import type { ApiClient } from '../api/client.js';
import { ApiError, type ApiErrorCode } from '../api/problem.js';
import type { ClientFrame, GroupMessageResponse, MessageResponse, SendMessageRequest } from '../api/types.js';
import { reconnectDelay } from '../realtime/backoff.js';
import type { PendingMessage } from './conversation.js';
import { messagesPath, type StoredMessage, sendMessageFrame, type ThreadKey } from './thread.js';

/** No ack this long after handing a message to an open socket: resend it over HTTP (same clientMsgId). */
const ACK_TIMEOUT_MS = 10_000;
/** A rate limit or busy answer without a usable hint. */
const DEFAULT_WAIT_MS = 2_000;
const MAX_WAIT_MS = 60_000;
/** Error codes after which the very same message may succeed later. */
const TRANSIENT: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>([
  'rate_limited',
  'dependency_unavailable',
  'internal_error',
  'network_error',
]);
/** Words for a refusal whose answer carried none (the server's `detail` is written for people). */
const FALLBACK_REASONS: Partial<Record<ApiErrorCode, string>> = {
  blocked: 'Messages between you and this person are blocked.',
  not_found: 'You are not a member of this conversation.',
};

/** A 4xx the same request will get again (validation, unknown peer, blocked); 401 is the session's business. */
const isPermanent = (error: unknown): error is ApiError =>
  error instanceof ApiError &&
  error.status >= 400 &&
  error.status < 500 &&
  error.status !== 401 &&
  !TRANSIENT.has(error.code);

const waitFor = (retryAfterSeconds: number | undefined): number =>
  retryAfterSeconds && retryAfterSeconds > 0
    ? Math.min(MAX_WAIT_MS, retryAfterSeconds * 1000)
    : DEFAULT_WAIT_MS;

export interface OutboxPorts {
  api: Pick<ApiClient, 'post'>;
  /** Hands a frame to the socket; false when it is not open. */
  sendFrame(frame: ClientFrame): boolean;
  /** The conversation's pending messages, in the order they were written. */
  pendingOf(key: ThreadKey): readonly PendingMessage[];
  /** A stored message came back from `POST …/messages`. */
  accept(message: StoredMessage): void;
  changed(): void;
}

/** One conversation's send queue: at most one message out at a time. */
interface Lane {
  inFlight: { clientMsgId: string; via: 'socket' | 'http' } | undefined;
  /** Waiting out a rate limit, a busy server or a dead network before sending the head again. */
  hold: ReturnType<typeof setTimeout> | undefined;
  /** The hold is only a backoff for an unreachable server: a reconnect ends it. */
  isHoldOffline: boolean;
  /** Consecutive failed attempts while nothing could be reached (for the backoff). */
  failures: number;
}

/**
 * Delivers pending messages in the order they were written. The gateway runs every frame and request
 * concurrently, so two sends out at once may be stored in either order: each conversation therefore has
 * one message out at a time, and the next goes only once the server has stored it (the `ack` frame or the
 * HTTP answer). A message keeps its clientMsgId for its whole life, so a resend (after a reconnect, an ack
 * timeout or a rate limit) is stored once. Conversations do not wait for one another. A lane is keyed by
 * thread (./thread.ts), so direct and group conversations share these semantics.
 */
export class Outbox {
  private readonly lanes = new Map<string, Lane>();
  private isStopped = false;

  constructor(private readonly ports: OutboxPorts) {}

  /** Sends the conversation's next message if none is out. */
  pump(key: string): void {
    if (this.isStopped) return;
    const lane = this.lane(key);
    const pendings = this.ports.pendingOf(key);
    const inFlight = lane.inFlight;
    // Stored meanwhile by another path (history catch-up, the other transport's answer).
    if (inFlight && !pendings.some((pending) => pending.clientMsgId === inFlight.clientMsgId)) {
      lane.inFlight = undefined;
    }
    if (lane.inFlight || lane.hold) return;
    const head = pendings.find((pending) => pending.state !== 'failed');
    if (head) this.transmit(key, lane, head);
  }

  /** One of our messages is stored (ack, HTTP answer, history): the next one may go. */
  stored(key: string, clientMsgId: string): void {
    const lane = this.lane(key);
    if (lane.inFlight?.clientMsgId === clientMsgId) {
      lane.inFlight = undefined;
      lane.failures = 0;
    }
    this.pump(key);
  }

  /** After a (re)connect: what went out on the old socket goes again on the new one, waits end early. */
  resume(): void {
    for (const [key, lane] of this.lanes) {
      if (lane.inFlight?.via === 'socket') lane.inFlight = undefined;
      if (lane.isHoldOffline) this.release(lane);
      this.pump(key);
    }
  }

  /** An error frame about one of our messages. */
  rejected(key: string, clientMsgId: string, code: ApiErrorCode, detail: string, retryAfter?: number): void {
    const lane = this.lane(key);
    // Only the socket attempt of the message out is the socket's to judge; an HTTP attempt answers itself.
    if (lane.inFlight?.clientMsgId !== clientMsgId || lane.inFlight.via !== 'socket') return;
    // The server closes the socket next; the reconnect resends it.
    if (code === 'unauthenticated') return;
    lane.inFlight = undefined;
    if (TRANSIENT.has(code)) this.wait(key, lane, waitFor(retryAfter), clientMsgId);
    else this.fail(key, clientMsgId, code, detail);
  }

  /** Resends over HTTP what an open socket never acknowledged (the send, or its ack, was lost). */
  sweep(now: number): void {
    for (const [key, lane] of this.lanes) {
      const inFlight = lane.inFlight;
      if (inFlight?.via !== 'socket') continue;
      const pending = this.ports.pendingOf(key).find((p) => p.clientMsgId === inFlight.clientMsgId);
      if (pending && now - pending.attemptAt > ACK_TIMEOUT_MS) {
        inFlight.via = 'http';
        void this.overHttp(key, lane, pending);
      }
    }
  }

  /** Signed out: nothing more goes out (an HTTP answer still on its way changes nothing). */
  stop(): void {
    this.isStopped = true;
    for (const lane of this.lanes.values()) this.release(lane);
    this.lanes.clear();
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { inFlight: undefined, hold: undefined, isHoldOffline: false, failures: 0 };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private transmit(key: string, lane: Lane, pending: PendingMessage): void {
    pending.attemptAt = Date.now();
    pending.state = 'sending';
    const frame = sendMessageFrame(key, pending.body, pending.clientMsgId);
    if (this.ports.sendFrame(frame)) {
      lane.inFlight = { clientMsgId: pending.clientMsgId, via: 'socket' };
    } else {
      lane.inFlight = { clientMsgId: pending.clientMsgId, via: 'http' };
      void this.overHttp(key, lane, pending);
    }
    this.ports.changed();
  }

  private async overHttp(key: string, lane: Lane, pending: PendingMessage): Promise<void> {
    const { clientMsgId } = pending;
    try {
      const { message } = await this.ports.api.post<MessageResponse | GroupMessageResponse>(
        messagesPath(key),
        { body: pending.body, clientMsgId } satisfies SendMessageRequest,
      );
      this.ports.accept(message);
      this.stored(key, clientMsgId);
    } catch (error) {
      // Answered meanwhile (the socket's ack), or superseded by a reconnect's resend.
      if (lane.inFlight?.clientMsgId !== clientMsgId || lane.inFlight.via !== 'http') return;
      lane.inFlight = undefined;
      if (isPermanent(error)) {
        this.fail(key, clientMsgId, error.code, error.message);
      } else if (error instanceof ApiError && error.code === 'rate_limited') {
        this.wait(key, lane, waitFor(error.retryAfterSeconds), clientMsgId);
      } else {
        // Offline or a server hiccup: back off; a reconnect (`resume`) cuts the wait short.
        this.wait(key, lane, reconnectDelay(lane.failures), clientMsgId);
        lane.isHoldOffline = true;
        lane.failures += 1;
      }
    }
  }

  /** Holds the whole conversation (order!) and then sends its head again. */
  private wait(key: string, lane: Lane, ms: number, clientMsgId: string): void {
    const pending = this.ports.pendingOf(key).find((p) => p.clientMsgId === clientMsgId);
    if (pending) pending.state = 'queued';
    this.release(lane);
    lane.hold = setTimeout(() => {
      lane.hold = undefined;
      this.pump(key);
    }, ms);
    this.ports.changed();
  }

  /** A refusal that a resend would get again: shown as failed, and the queue moves on. */
  private fail(key: string, clientMsgId: string, code: ApiErrorCode, detail: string): void {
    const pending = this.ports.pendingOf(key).find((p) => p.clientMsgId === clientMsgId);
    if (pending) {
      pending.state = 'failed';
      pending.error = detail.trim() || FALLBACK_REASONS[code] || 'The server refused this message.';
    }
    this.ports.changed();
    this.pump(key);
  }

  private release(lane: Lane): void {
    clearTimeout(lane.hold);
    lane.hold = undefined;
    lane.isHoldOffline = false;
  }
}
