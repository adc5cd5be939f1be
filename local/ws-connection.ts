import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { ConnectionInfo } from './ws-events.js';
import { watchFrames } from './ws-frame-watcher.js';
import type { ManagedConnection } from './ws-gateway-types.js';

export interface CloseCause {
  code: number;
  reason: string;
}

export interface ConnectionLimits {
  idleTimeoutMs: number;
  maxConnectionMs: number;
}

const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;

const GOING_AWAY: CloseCause = { code: 1001, reason: 'Going away' };
const DELETED: CloseCause = { code: 1000, reason: 'Connection Closed Normally' };
const RECEIVER_ERROR_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** One established connection: its timers, its close cause, and frame-level policing. */
export class WsConnection implements ManagedConnection {
  lastActiveAt: number;
  /** Set once the gateway (not the client) decided to end the connection, or when it ended abnormally. */
  cause: CloseCause | undefined;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly ageTimer: NodeJS.Timeout;
  private readonly stopWatching: () => void;

  constructor(
    readonly info: ConnectionInfo,
    private readonly socket: WebSocket,
    rawSocket: Duplex,
    limits: ConnectionLimits,
    private readonly onEnding: (connection: WsConnection) => void,
  ) {
    this.lastActiveAt = Date.now();
    // Idle means no data frames either way; pings and pongs don't count (as reported for AWS).
    this.idleTimer = setTimeout(() => this.end(GOING_AWAY), limits.idleTimeoutMs);
    this.ageTimer = setTimeout(() => this.end(GOING_AWAY), limits.maxConnectionMs);
    this.stopWatching = watchFrames(rawSocket, ({ opcode, payloadLength }) => {
      if (this.cause || opcode >= 0x8) return;
      if (payloadLength > MAX_FRAME_BYTES) return this.end({ code: 1009, reason: '' });
      this.touch();
    });
    socket.on('error', (error: Error) => {
      const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
      this.markEnding({
        code: RECEIVER_ERROR_CODES[code] ?? (code.startsWith('WS_ERR') ? 1002 : 1006),
        reason: '',
      });
    });
  }

  get connectionId(): string {
    return this.info.connectionId;
  }
  get connectedAt(): number {
    return this.info.connectedAt;
  }
  get sourceIp(): string {
    return this.info.sourceIp;
  }
  get userAgent(): string {
    return this.info.userAgent;
  }

  isOpen(): boolean {
    return this.cause === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a text frame (even for bytes, as @connections does); false when the connection is gone. */
  send(data: Buffer | string): boolean {
    if (!this.isOpen()) return false;
    this.socket.send(data, { binary: false });
    this.touch();
    return true;
  }

  disconnect(): void {
    this.end(DELETED);
  }

  /** Closes with the cause's code; 1006 means drop the TCP connection without a close frame. */
  end(cause: CloseCause): void {
    if (!this.markEnding(cause)) return;
    if (cause.code === 1006) this.socket.terminate();
    else this.socket.close(cause.code, cause.reason);
  }

  /** Drops the TCP connection at once, even if a close handshake is under way. */
  terminate(): void {
    this.markEnding({ code: 1006, reason: '' });
    this.socket.terminate();
  }

  /** Called on the socket's `close` event; returns what $disconnect should report. */
  closed(clientCode: number, clientReason: string): CloseCause {
    this.markEnding({ code: clientCode, reason: clientReason });
    return this.cause ?? { code: clientCode, reason: clientReason };
  }

  private markEnding(cause: CloseCause): boolean {
    if (this.cause) return false;
    this.cause = cause;
    clearTimeout(this.idleTimer);
    clearTimeout(this.ageTimer);
    this.stopWatching();
    this.onEnding(this);
    return true;
  }

  private touch(): void {
    this.lastActiveAt = Date.now();
    this.idleTimer.refresh();
  }
}
