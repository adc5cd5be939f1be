import type { ApiClient } from '../api/client.js';
import { ApiError } from '../api/problem.js';
import type { ClientFrame, Message } from '../api/types.js';
import type { PendingMessage } from './conversation.js';

/** No ack this long after handing a message to an open socket: resend it over HTTP (same clientMsgId). */
const ACK_TIMEOUT_MS = 10_000;
const RETRY_AFTER_BUSY_MS = 2_000;
/** Error codes after which the very same message may succeed later. */
const TRANSIENT = new Set(['rate_limited', 'dependency_unavailable', 'internal_error', 'network_error']);

/** A 4xx the same request will get again (validation, unknown peer); 401 is the session's business. */
const isPermanent = (error: unknown): error is ApiError =>
  error instanceof ApiError &&
  error.status >= 400 &&
  error.status < 500 &&
  error.status !== 401 &&
  !TRANSIENT.has(error.code);

export interface OutboxPorts {
  api: ApiClient;
  /** Hands a frame to the socket; false when it is not open. */
  sendFrame(frame: ClientFrame): boolean;
  /** A stored message came back (ack or HTTP answer). */
  accept(message: Message): void;
  changed(): void;
}

/**
 * Delivery of pending messages, each with its one clientMsgId for its whole life: over the socket when it
 * is open, else over `POST /chat/conversations/{id}/messages`; when both fail it stays queued and is resent
 * on reconnect. The server stores a clientMsgId once, and the conversation shows a message once.
 */
export class Outbox {
  constructor(private readonly ports: OutboxPorts) {}

  deliver(peerId: string, pending: PendingMessage): void {
    if (pending.state === 'failed') return;
    pending.attemptAt = Date.now();
    const frame: ClientFrame = {
      action: 'sendMessage',
      to: peerId,
      body: pending.body,
      clientMsgId: pending.clientMsgId,
    };
    if (this.ports.sendFrame(frame)) {
      pending.state = 'sending';
      return;
    }
    pending.state = 'queued';
    void this.overHttp(peerId, pending);
  }

  /**
   * Retries over HTTP what has waited too long: sent on a socket that never acknowledged it (the ack, or
   * the send itself, was lost), or queued while the socket stays down.
   */
  sweep(peerId: string, pendings: readonly PendingMessage[], now: number): void {
    for (const pending of pendings) {
      if (pending.state !== 'failed' && now - pending.attemptAt > ACK_TIMEOUT_MS) {
        pending.attemptAt = now;
        void this.overHttp(peerId, pending);
      }
    }
  }

  /** An error frame about one of our messages. */
  rejected(peerId: string, pending: PendingMessage, code: string, detail: string): void {
    if (TRANSIENT.has(code)) {
      pending.state = 'queued';
      setTimeout(() => this.deliver(peerId, pending), RETRY_AFTER_BUSY_MS);
    } else {
      pending.state = 'failed';
      pending.error = detail;
    }
    this.ports.changed();
  }

  private async overHttp(peerId: string, pending: PendingMessage): Promise<void> {
    if (pending.httpInFlight) return;
    pending.httpInFlight = true;
    try {
      const { message } = await this.ports.api.post<{ message: Message }>(
        `/chat/conversations/${encodeURIComponent(peerId)}/messages`,
        { body: pending.body, clientMsgId: pending.clientMsgId },
      );
      this.ports.accept(message);
    } catch (error) {
      // Offline, or a server hiccup: keep it queued; the reconnect (or the next sweep) sends it again.
      if (isPermanent(error)) {
        pending.state = 'failed';
        pending.error = error.message;
        this.ports.changed();
      }
    } finally {
      pending.httpInFlight = false;
    }
  }
}
