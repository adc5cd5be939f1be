import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { RequestLog } from '../request-log.js';
import type {
  PasswordHasher,
  RateLimiter,
  SessionSockets,
  SessionStore,
  TokenService,
  UserRepository,
} from './ports.js';

/** Lifetimes and throttles, from config. */
export interface AuthPolicy {
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  absoluteTtlSeconds: number;
  refreshGraceSeconds: number;
  /** Failed logins per (account, source IP) per window. */
  loginAccountIpLimit: number;
  /** Account-wide ceiling across every IP per window. */
  loginAccountLimit: number;
  loginIpLimit: number;
  loginWindowSeconds: number;
  registerIpLimit: number;
  registerWindowSeconds: number;
}

/** Everything the auth use cases need, as ports. */
export interface AuthDeps {
  users: UserRepository;
  sessions: SessionStore;
  sockets: SessionSockets;
  tokens: TokenService;
  passwords: PasswordHasher;
  limiter: RateLimiter;
  clock: Clock;
  policy: AuthPolicy;
  /** Business counters (sign-ups, logins, refresh rotations and reuse); flushed by the composition root. */
  metrics: Metrics;
  /** The invocation's log keys: a use case that learns who is calling before the route does tags the lines. */
  requestLog: RequestLog;
}

/** Where a request came from: the gateway's TCP peer address, never X-Forwarded-For. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
}
