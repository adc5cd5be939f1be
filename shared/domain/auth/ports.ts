/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
}

export interface UserWithPasswordHash extends User {
  passwordHash: string;
}

/** Postgres-backed user storage; `create` throws AppError('email_taken') on a duplicate canonical email. */
export interface UserRepository {
  create(input: { email: string; passwordHash: string; displayName: string }): Promise<User>;
  findByEmail(email: string): Promise<UserWithPasswordHash | null>;
  findById(id: string): Promise<User | null>;
  findByIds(ids: string[]): Promise<User[]>;
  search(query: string, limit: number, excludeUserId: string): Promise<User[]>;
}

/** Peppered bcrypt; `burn` spends the same time as a real verify so unknown users are not revealed by timing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  burn(password: string): Promise<void>;
}

/** What a session record carries besides its refresh-token state; a snapshot of the user serves `GET /me`. */
export interface NewSession {
  userId: string;
  sessionId: string;
  refreshId: string;
  issuedAtSeconds: number;
  refreshExpiresAtMs: number;
  absoluteExpiresAtMs: number;
  createdAtMs: number;
  user: User;
  userAgent: string;
  ip: string;
}

export interface ActiveSession {
  sessionId: string;
  user: User;
}

export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string;
  ip: string;
}

/** Refresh-token state after presenting one; `issuedAtSeconds`/`refreshExpiresAtMs` let a grace replay re-sign identical tokens. */
export type RotationOutcome =
  | { kind: 'rotated' | 'grace'; refreshId: string; issuedAtSeconds: number; refreshExpiresAtMs: number }
  | { kind: 'reused' }
  | { kind: 'missing' };

export interface RotationRequest {
  userId: string;
  sessionId: string;
  presentedRefreshId: string;
  newRefreshId: string;
  nowMs: number;
  graceMs: number;
  newRefreshExpiresAtMs: number;
}

/** Redis-backed sessions, hash-tagged per user so each operation stays in one cluster slot. */
export interface SessionStore {
  create(session: NewSession): Promise<void>;
  rotate(request: RotationRequest): Promise<RotationOutcome>;
  findActive(userId: string, sessionId: string): Promise<ActiveSession | null>;
  list(userId: string, nowMs: number): Promise<SessionSummary[]>;
  revoke(userId: string, sessionId: string): Promise<boolean>;
  revokeAll(userId: string): Promise<string[]>;
}

export interface TokenClaims {
  userId: string;
  sessionId: string;
  tokenId: string;
  issuedAtSeconds: number;
  expiresAtSeconds: number;
}

export interface SignedToken {
  token: string;
  expiresAt: Date;
}

/** JWT signing and verification; verify returns null for anything invalid (never throws on input). */
export interface TokenService {
  signAccess(claims: TokenClaims): Promise<SignedToken>;
  signRefresh(claims: TokenClaims): Promise<SignedToken>;
  verifyAccess(token: string): Promise<TokenClaims | null>;
  verifyRefresh(token: string): Promise<TokenClaims | null>;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Fixed-window counters in Redis; fail closed (throws dependency_unavailable) when Redis is down. */
export interface RateLimiter {
  hit(bucket: string, limit: number, windowSeconds: number): Promise<ThrottleDecision>;
  reset(bucket: string): Promise<void>;
}

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
