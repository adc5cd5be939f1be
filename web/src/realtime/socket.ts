import { ApiError } from '../api/problem.js';
import type { ClientFrame, ServerFrame } from '../api/types.js';
import { reconnectDelay } from './backoff.js';
import { parseServerFrame } from './frames.js';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface SocketHooks {
  /** A fresh single-use ticket (`POST /chat/ticket`), fetched for every attempt. */
  ticket(): Promise<string>;
  frame(frame: ServerFrame): void;
  state(state: ConnectionState): void;
  /** After every successful (re)connect: the place to resync history and flush the outbox. */
  opened(): void;
}

// API Gateway drops sockets idle for 10 minutes; a ping also proves a quiet socket is still alive.
const PING_EVERY_MS = 30_000;
const PONG_TIMEOUT_MS = 10_000;

/**
 * One WebSocket that keeps itself connected: a new ticket per attempt, exponential backoff with jitter,
 * an immediate retry when the browser comes back online or the tab becomes visible, and a ping/pong
 * heartbeat that replaces a socket which silently stopped answering.
 */
export class RealtimeSocket {
  state: ConnectionState = 'connecting';
  private ws: WebSocket | undefined;
  private attempt = 0;
  private running = false;
  private connecting = false;
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly wsUrl: string,
    private readonly hooks: SocketHooks,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisibility);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'client closing');
  }

  /** Sends now if the socket is open; false means the caller must keep the frame for later. */
  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Skips the remaining backoff (the user pressed "Retry now", or the network came back). */
  reconnectNow(): void {
    if (!this.running || this.ws || this.connecting) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    void this.connect();
  }

  private readonly onOnline = (): void => {
    if (this.ws) this.ping();
    else this.reconnectNow();
  };

  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'visible') this.reconnectNow();
  };

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.hooks.state(state);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.connecting = true;
    let ticket: string;
    try {
      ticket = await this.hooks.ticket();
    } catch (error) {
      if (generation !== this.generation) return;
      // 401 here means the refresh failed too: the API client has already reported the ended session.
      if (error instanceof ApiError && error.status === 401) this.stop();
      else this.retry();
      return;
    } finally {
      this.connecting = false;
    }
    if (generation !== this.generation || !this.running) return;
    const url = new URL(this.wsUrl);
    url.searchParams.set('ticket', ticket);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.startHeartbeat();
      this.setState('online');
      this.hooks.opened();
    });
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws) return;
      const frame = parseServerFrame(event.data);
      if (frame?.type === 'pong') clearTimeout(this.pongTimer);
      else if (frame) this.hooks.frame(frame);
    });
    ws.addEventListener('close', () => this.drop(ws));
  }

  /** Forgets a socket that closed or stopped answering, and schedules the next attempt. */
  private drop(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.stopHeartbeat();
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    if (this.running) this.retry();
  }

  private retry(): void {
    this.setState('offline');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), reconnectDelay(this.attempt));
    this.attempt += 1;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  private ping(): void {
    const ws = this.ws;
    if (!ws || !this.send({ action: 'ping' })) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => this.drop(ws), PONG_TIMEOUT_MS);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}
