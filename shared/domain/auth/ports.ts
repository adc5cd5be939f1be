/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
  /** The owner opened a verification link sent to `email`; unverified accounts are never found by email. */
  emailVerified: boolean;
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
  /** Sets email_verified_at (kept if already set); false when no such user exists. */
  markEmailVerified(id: string): Promise<boolean>;
  /** Replaces the stored password hash; false when no such user exists. */
  updatePasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Deletes the row (its canonical email can be registered again); false when no such user exists. */
  delete(id: string): Promise<boolean>;
  /**
   * People to start a chat with: an exact match of the whole canonical `email` (when given, verified accounts
   * only), or display names
   * with a word starting with `name` (case- and accent-insensitive). The answer never says which matched.
   */
  search(
    query: { name: string; email: string | null },
    limit: number,
    excludeUserId: string,
  ): Promise<User[]>;
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
  /** Revokes every session of the user except `exceptSessionId` (when given); returns the revoked ids. */
  revokeAll(userId: string, exceptSessionId?: string): Promise<string[]>;
  /** Marks the user snapshot of every live session verified, so `GET /me` shows it without Postgres. */
  markEmailVerified(userId: string): Promise<void>;
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

export interface VerifyOptions {
  /**
   * Accept a token past its `exp` (signature, issuer, audience, typ and claims still verified). Only for
   * logout: holding an expired access token still proves which session to end.
   */
  allowExpired?: boolean;
}

/** JWT signing and verification; verify returns null for anything invalid (never throws on input). */
export interface TokenService {
  signAccess(claims: TokenClaims): Promise<SignedToken>;
  signRefresh(claims: TokenClaims): Promise<SignedToken>;
  verifyAccess(token: string, options?: VerifyOptions): Promise<TokenClaims | null>;
  verifyRefresh(token: string): Promise<TokenClaims | null>;
}

/**
 * A deleted account's own realtime state: its contacts, last messages, unread sets, read marks, "messaged"
 * set, blocks (and its side of each blocked conversation), connection records and sessions are removed, and
 * its user-directory entry becomes a tombstone (no name) so peers' contact lists show "Deleted user".
 * Conversation streams stay for the peers, unless the peer is deleted too. Idempotent.
 */
export interface AccountEraser {
  erase(userId: string): Promise<void>;
}

/** The realtime side of ending a session: API Gateway checks auth only at `$connect`. */
export interface SessionSockets {
  /** Closes the open WebSockets of one session, or of every session of the user when sessionId is omitted. */
  close(userId: string, sessionId?: string): Promise<void>;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Fixed-window counters in Redis; fail closed (throws dependency_unavailable) when Redis is down. */
export interface RateLimiter {
  hit(bucket: string, limit: number, windowSeconds: number): Promise<ThrottleDecision>;
  reset(bucket: string): Promise<void>;
}
