import type { RateLimiter, SessionStore, TokenService } from '../auth/ports.js';
import type { Budget } from '../budget.js';
import type { BlockStore, ChatStore, UserDirectory } from '../chat/ports.js';
import type { Clock } from '../clock.js';
import type { GroupStore } from '../groups/ports.js';
import type { Metrics } from '../metrics.js';
import type { RequestLog } from '../request-log.js';
import type { ConnectionStore, PushGateway, TicketStore } from './ports.js';

export interface RealtimePolicy {
  ticketTtlSeconds: number;
  connectionTtlSeconds: number;
  /** Frames per socket per window. */
  frameLimit: number;
  /** Frames per user, across all their sockets, per window. */
  userFrameLimit: number;
  frameWindowSeconds: number;
  /** Open sockets per user; the next handshake is refused with 429. */
  maxConnectionsPerUser: number;
  connectLimit: Budget;
  /** One message budget per user, shared by HTTP and WebSocket sends. */
  messageLimit: Budget;
  searchLimit: Budget;
  ticketLimit: Budget;
  /** Origins allowed to open a socket (exact match); absent Origin = a non-browser client. */
  allowedOrigins: readonly string[];
}

/** What the WebSocket handlers and the chat routes need, as ports (no Postgres among them). */
export interface RealtimeDeps {
  connections: ConnectionStore;
  tickets: TicketStore;
  push: PushGateway;
  chat: ChatStore;
  /** Group conversations (membership, messages, read marks), each group in its own slot. */
  groups: GroupStore;
  blocks: BlockStore;
  /** Who exists and their names, from Redis: the realtime path never queries Postgres. */
  directory: UserDirectory;
  sessions: Pick<SessionStore, 'findActive'>;
  limiter: RateLimiter;
  clock: Clock;
  realtime: RealtimePolicy;
  /** Business counters (messages stored, connects, disconnects); flushed by the composition root. */
  metrics: Metrics;
  /** This invocation's log keys (the user id once a connection or token names one). */
  requestLog: RequestLog;
}

/** `$connect` also verifies Bearer access tokens (public keys only); the other routes never see a token. */
export interface ConnectDeps extends RealtimeDeps {
  tokens: Pick<TokenService, 'verifyAccess'>;
}
