/**
 * Black-box WebSocket client for the e2e suite: only `WS_URL` and the `ws` package. It connects (resolving
 * on open, rejecting with the HTTP status when the handshake is refused), keeps every server frame in an
 * inbox checked against the public contract (DESIGN.md §5), waits for frames with deadlines, and tracks the
 * close. Every socket it opens is registered so `closeAllSockets()` (afterEach) can end them.
 */
import type { IncomingMessage } from 'node:http';
import { inject } from 'vitest';
import { type RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import { ERROR_CODES } from '../../shared/domain/errors.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_MS = 5_000;

/**
 * ws://host:port of the WebSocket API under test. Throws, naming WS_URL, when the run has none (API_URL set
 * without WS_URL): chat suites fail rather than pass having tested no chat.
 */
export function wsUrl(): string {
  const url = inject('wsUrl');
  if (!url)
    throw new Error('WS_URL is not set: set it to the WebSocket API of the stage under test (API_URL is)');
  return url;
}

const Uuid = z.uuid();
const MessageIdSchema = z.string().regex(/^\d+-\d+$/);

export const ChatMessageSchema = z.object({
  id: MessageIdSchema,
  conversationId: z.string().min(1),
  from: Uuid,
  to: Uuid,
  body: z.string(),
  sentAt: z.iso.datetime(),
  clientMsgId: z.string(),
});
export type ChatMessage = Wire.ChatMessage;

export const GroupMessageSchema = z.object({
  id: MessageIdSchema,
  groupId: Uuid,
  from: Uuid,
  body: z.string(),
  sentAt: z.iso.datetime(),
  clientMsgId: z.string(),
});

export const GroupSchema = z.object({
  id: Uuid,
  name: z.string().min(1),
  createdAt: z.iso.datetime(),
  members: z.array(z.object({ id: Uuid, displayName: z.string(), role: z.enum(['admin', 'member']) })),
});

const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), message: ChatMessageSchema }),
  z.object({
    type: z.literal('ack'),
    clientMsgId: z.string(),
    message: ChatMessageSchema,
    duplicate: z.boolean(),
  }),
  z.object({ type: z.literal('typing'), from: Uuid }),
  z.object({ type: z.literal('read'), by: Uuid, peerId: Uuid, upTo: MessageIdSchema }),
  z.object({ type: z.literal('presence'), userId: Uuid, online: z.boolean() }),
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('groupMessage'), message: GroupMessageSchema }),
  z.object({
    type: z.literal('groupAck'),
    clientMsgId: z.string(),
    message: GroupMessageSchema,
    duplicate: z.boolean(),
  }),
  z.object({ type: z.literal('groupTyping'), groupId: Uuid, from: Uuid }),
  z.object({ type: z.literal('groupRead'), groupId: Uuid, by: Uuid, upTo: MessageIdSchema }),
  z.object({
    type: z.literal('group'),
    event: z.enum(['created', 'renamed', 'member_added', 'member_removed']),
    group: GroupSchema,
    userIds: z.array(Uuid),
    by: Uuid,
  }),
  z.object({
    type: z.literal('error'),
    code: z.enum(ERROR_CODES),
    detail: z.string(),
    clientMsgId: z.string().optional(),
    retryAfter: z.number().positive().optional(),
  }),
]);
export type ServerFrame = Wire.ServerFrame;
export type FrameType = Wire.ServerFrameType;
export type FrameOf<K extends FrameType> = Wire.ServerFrameOf<K>;

// Compile-time only: the frames this client accepts are exactly the ones the server declares.
type _WireChecks = [
  Assert<Equals<z.infer<typeof ChatMessageSchema>, ChatMessage>>,
  Assert<Equals<z.infer<typeof ServerFrameSchema>, ServerFrame>>,
];

/** A type-narrowing predicate: frames of this type, optionally also matching `match`. */
export const frame =
  <K extends FrameType>(type: K, match: (candidate: FrameOf<K>) => boolean = () => true) =>
  (candidate: ServerFrame): candidate is FrameOf<K> =>
    candidate.type === type && match(candidate as FrameOf<K>);

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  /** Sent as `?ticket=`. */
  ticket?: string;
  /** Sent as `Authorization: Bearer …`. */
  bearer?: string;
  /** Sent as `Origin`; absent by default, as from a non-browser client. */
  origin?: string;
  headers?: Record<string, string>;
}

/** The server refused the upgrade with an HTTP answer instead of 101. */
export class HandshakeRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`WebSocket handshake refused with HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'HandshakeRejectedError';
  }
}

interface Waiter {
  predicate: (candidate: ServerFrame) => boolean;
  resolve: (candidate: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const open = new Set<WsClient>();
let created: WsClient[] = [];

export class WsClient {
  /** Every contract-conforming frame received, in arrival order. */
  readonly frames: ServerFrame[] = [];
  /** Text that was not JSON or did not match the frame schema: a contract violation. */
  readonly invalidFrames: string[] = [];
  /** Resolves once the socket has closed, with the code and reason the client saw. */
  readonly closed: Promise<CloseInfo>;
  private closeInfo: CloseInfo | undefined;
  private waiters: Waiter[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly label: string,
  ) {
    socket.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        open.delete(this);
        for (const waiter of this.waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`${this.label} closed (${code}) while ${this.describeWaiting()}`));
        }
        resolve(this.closeInfo);
      });
    });
    open.add(this);
    created.push(this);
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  send(payload: unknown): void {
    this.sendRaw(JSON.stringify(payload));
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** All received frames of one type (optionally matching), in arrival order. */
  all<K extends FrameType>(type: K, match?: (candidate: FrameOf<K>) => boolean): FrameOf<K>[] {
    return this.frames.filter(frame(type, match));
  }

  /**
   * The first frame, already received or still to come, that satisfies `predicate`; rejects after
   * `timeoutMs` or as soon as the socket closes, listing what did arrive.
   */
  waitFor<T extends ServerFrame>(
    predicate: (candidate: ServerFrame) => candidate is T,
    timeoutMs?: number,
  ): Promise<T>;
  waitFor(predicate: (candidate: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  waitFor(predicate: (candidate: ServerFrame) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerFrame> {
    const found = this.frames.find(predicate);
    if (found) return Promise.resolve(found);
    if (this.closeInfo) {
      return Promise.reject(new Error(`${this.label} is closed (${this.closeInfo.code}); ${this.summary()}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          reject(new Error(`${this.label}: no matching frame within ${timeoutMs} ms; ${this.summary()}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves with every matching frame once at least `count` have arrived. */
  async waitForCount(
    predicate: (candidate: ServerFrame) => boolean,
    count: number,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ServerFrame[]> {
    const enough = (): boolean => this.frames.filter(predicate).length >= count;
    if (!enough()) await this.waitFor(enough, timeoutMs);
    return this.frames.filter(predicate);
  }

  /**
   * A round trip through the server (ping → pong): frames the server pushed to this socket before it handled
   * the ping have arrived by the time this resolves, without sleeping for a guessed interval.
   */
  async roundTrip(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const before = this.all('pong').length;
    this.send({ action: 'ping' });
    await this.waitForCount(frame('pong'), before + 1, timeoutMs);
  }

  /** Resolves with the close once it happened, failing after `timeoutMs`. */
  async waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.label} still open after ${timeoutMs} ms; ${this.summary()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A clean client close (1000); drops the TCP connection if the close handshake does not finish in time. */
  async close(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    if (this.closeInfo) return this.closeInfo;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'bye');
    try {
      return await this.waitForClose(timeoutMs);
    } catch {
      this.socket.terminate();
      return this.closed;
    }
  }

  private receive(data: RawData, isBinary: boolean): void {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    let parsed: ServerFrame | undefined;
    try {
      const result = ServerFrameSchema.safeParse(JSON.parse(text));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || isBinary) {
      this.invalidFrames.push(text);
      return;
    }
    this.frames.push(parsed);
    const current = parsed;
    for (const waiter of [...this.waiters]) {
      if (!waiter.predicate(current)) continue;
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((other) => other !== waiter);
      waiter.resolve(current);
    }
  }

  private describeWaiting(): string {
    return `${this.waiters.length} wait(s) were pending; ${this.summary()}`;
  }

  private summary(): string {
    const recent = this.frames.slice(-8).map((received) => JSON.stringify(received).slice(0, 160));
    const invalid = this.invalidFrames.length > 0 ? `; invalid: ${this.invalidFrames.join(' | ')}` : '';
    return `${this.frames.length} frame(s) received, last: [${recent.join(', ')}]${invalid}`;
  }
}

function socketUrl(options: ConnectOptions): string {
  const url = new URL(wsUrl());
  if (options.ticket !== undefined) url.searchParams.set('ticket', options.ticket);
  return url.toString();
}

let counter = 0;

/** Opens a socket; rejects with HandshakeRejectedError (status, body) when the server answers without 101. */
export function connect(options: ConnectOptions = {}, label = `socket#${++counter}`): Promise<WsClient> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  const socket = new WebSocket(socketUrl(options), {
    headers,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    perMessageDeflate: false,
    ...(options.origin !== undefined && { origin: options.origin }),
  });
  // Frames the server pushes right after the upgrade must not be lost before the caller gets the client.
  const client = new WsClient(socket, label);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    socket.once('open', () => settle(() => resolve(client)));
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        settle(() => reject(new HandshakeRejectedError(res.statusCode ?? 0, body)));
        // Ends the attempt (and emits 'close', which unregisters the client) instead of leaving it CONNECTING.
        socket.terminate();
      });
      res.once('error', (error) => settle(() => reject(error)));
    });
    socket.on('error', (error) => settle(() => reject(error)));
  });
}

/** Connects expecting a refusal; returns it (status and body) or fails when the socket opens. */
export async function connectRejected(options: ConnectOptions): Promise<HandshakeRejectedError> {
  try {
    const client = await connect(options);
    await client.close();
  } catch (error) {
    if (error instanceof HandshakeRejectedError) return error;
    throw error;
  }
  throw new Error('the WebSocket handshake succeeded but was expected to be refused');
}

/**
 * Ends every socket still open (afterEach), so nothing leaks into the next test, and returns the contract
 * violations (frames that were not valid server frames) seen by the sockets opened since the last call.
 */
export async function closeAllSockets(): Promise<string[]> {
  await Promise.all([...open].map((client) => client.close(1_000)));
  const violations = created.flatMap((client) =>
    client.invalidFrames.map((text) => `${client.label}: ${text}`),
  );
  created = [];
  return violations;
}
