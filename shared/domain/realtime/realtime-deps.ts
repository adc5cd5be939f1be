import type { Clock, RateLimiter, SessionStore, TokenService, UserRepository } from '../auth/ports.js';
import type { ChatStore } from '../chat/ports.js';
import type { ConnectionStore, PushGateway, TicketStore } from './ports.js';

export interface RealtimePolicy {
  ticketTtlSeconds: number;
  connectionTtlSeconds: number;
  frameLimit: number;
  frameWindowSeconds: number;
  /** Origins allowed to open a socket (exact match); absent Origin = a non-browser client. */
  allowedOrigins: readonly string[];
}

/** What the WebSocket handlers and the chat routes need, as ports. */
export interface RealtimeDeps {
  connections: ConnectionStore;
  tickets: TicketStore;
  push: PushGateway;
  chat: ChatStore;
  users: Pick<UserRepository, 'findById' | 'findByIds'>;
  sessions: Pick<SessionStore, 'findActive'>;
  tokens: Pick<TokenService, 'verifyAccess'>;
  limiter: RateLimiter;
  clock: Clock;
  realtime: RealtimePolicy;
}
