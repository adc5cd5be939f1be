import { randomUUID } from 'node:crypto';
import type { AuthDeps, AuthPolicy } from '../../shared/domain/auth/auth-deps.js';
import type {
  AccountEraser,
  ActiveSession,
  NewSession,
  PasswordHasher,
  RateLimiter,
  RotationOutcome,
  RotationRequest,
  SessionSockets,
  SessionStore,
  SessionSummary,
  SignedToken,
  ThrottleDecision,
  TokenClaims,
  TokenService,
  User,
  UserRepository,
  UserWithPasswordHash,
  VerifyOptions,
} from '../../shared/domain/auth/ports.js';
import type { Clock } from '../../shared/domain/clock.js';
import { systemClock } from '../../shared/domain/clock.js';
import { AppError } from '../../shared/domain/errors.js';
import { FakeUserDirectory } from './realtime-fakes.js';
import { RecordingMetrics, RecordingRequestLog } from './recording-telemetry.js';

/** In-memory fakes of the auth ports, for use-case unit tests (no network). */

export const TEST_POLICY: AuthPolicy = {
  accessTtlSeconds: 900,
  refreshTtlSeconds: 30 * 24 * 3600,
  absoluteTtlSeconds: 90 * 24 * 3600,
  refreshGraceSeconds: 10,
  loginAccountIpLimit: 5,
  loginAccountLimit: 20,
  loginIpLimit: 50,
  loginWindowSeconds: 900,
  registerIpLimit: 3,
  registerWindowSeconds: 3600,
};

export class FakeClock implements Clock {
  private current: number;

  constructor(startMs = Date.UTC(2030, 0, 1)) {
    this.current = startMs;
  }

  nowMs(): number {
    return this.current;
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }

  /** Moves the clock forward to `instantMs` (never back). */
  advanceTo(instantMs: number): void {
    this.current = Math.max(this.current, instantMs);
  }
}

class FakeUserRepository implements UserRepository {
  readonly byEmail = new Map<string, UserWithPasswordHash>();
  readonly lookups: string[] = [];

  constructor(private readonly clock: Clock) {}

  async create(input: { email: string; passwordHash: string; displayName: string }): Promise<User> {
    if (this.byEmail.has(input.email)) throw new AppError('email_taken', 'Email is already registered');
    const user: UserWithPasswordHash = {
      id: randomUUID(),
      email: input.email,
      displayName: input.displayName,
      passwordHash: input.passwordHash,
      createdAt: new Date(this.clock.nowMs()),
      emailVerified: false,
    };
    this.byEmail.set(user.email, user);
    const { passwordHash: _hash, ...publicUser } = user;
    return publicUser;
  }

  async findByEmail(email: string): Promise<UserWithPasswordHash | null> {
    this.lookups.push(email);
    return this.byEmail.get(email) ?? null;
  }

  async findById(id: string): Promise<User | null> {
    for (const { passwordHash: _hash, ...user } of this.byEmail.values()) if (user.id === id) return user;
    return null;
  }

  async findByIds(ids: string[]): Promise<User[]> {
    return [...this.byEmail.values()]
      .filter((user) => ids.includes(user.id))
      .map(({ passwordHash: _hash, ...user }) => user);
  }

  async markEmailVerified(id: string): Promise<boolean> {
    for (const user of this.byEmail.values()) {
      if (user.id !== id) continue;
      user.emailVerified = true;
      return true;
    }
    return false;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<boolean> {
    for (const user of this.byEmail.values()) {
      if (user.id !== id) continue;
      user.passwordHash = passwordHash;
      return true;
    }
    return false;
  }

  async delete(id: string): Promise<boolean> {
    for (const [email, user] of this.byEmail) if (user.id === id) return this.byEmail.delete(email);
    return false;
  }

  async search(
    query: { name: string; email: string | null },
    limit: number,
    excludeUserId: string,
  ): Promise<User[]> {
    const needle = query.name.toLowerCase();
    const matches = (user: User): boolean =>
      (user.emailVerified && user.email === query.email) ||
      (needle !== '' &&
        user.displayName
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(needle)));
    return [...this.byEmail.values()]
      .filter((user) => user.id !== excludeUserId && matches(user))
      .slice(0, limit)
      .map(({ passwordHash: _hash, ...user }) => user);
  }
}

/** Not a KDF: records every call so tests can assert what was (not) hashed or compared. */
class RecordingPasswordHasher implements PasswordHasher {
  readonly hashed: string[] = [];
  readonly verified: string[] = [];
  readonly burned: string[] = [];

  async hash(password: string): Promise<string> {
    this.hashed.push(password);
    return `fake-hash:${password}`;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    this.verified.push(password);
    return hash === `fake-hash:${password}`;
  }

  async burn(password: string): Promise<void> {
    this.burned.push(password);
  }
}

/**
 * Fixed-window counters like the Redis limiter (count <= limit is allowed; the first hit opens the window),
 * plus forced denials. Held to the RateLimiter contract (tests/support/contracts).
 */
export class FakeRateLimiter implements RateLimiter {
  readonly hits: { bucket: string; limit: number; windowSeconds: number }[] = [];
  readonly resets: string[] = [];
  private readonly windows = new Map<string, { count: number; endsAtMs: number }>();
  private readonly denied = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  deny(bucket: string, retryAfterSeconds: number): void {
    this.denied.set(bucket, retryAfterSeconds);
  }

  async hit(bucket: string, limit: number, windowSeconds: number): Promise<ThrottleDecision> {
    this.hits.push({ bucket, limit, windowSeconds });
    const retryAfterSeconds = this.denied.get(bucket);
    if (retryAfterSeconds !== undefined) return { allowed: false, retryAfterSeconds };
    const nowMs = this.clock.nowMs();
    const current = this.windows.get(bucket);
    const window =
      current && current.endsAtMs > nowMs ? current : { count: 0, endsAtMs: nowMs + windowSeconds * 1000 };
    window.count += 1;
    this.windows.set(bucket, window);
    if (window.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.endsAtMs - nowMs) / 1000)) };
  }

  async reset(bucket: string): Promise<void> {
    this.resets.push(bucket);
    this.windows.delete(bucket);
  }
}

/** Records every close; `failWith` makes closing reject (the gateway or the connection store is down). */
class RecordingSessionSockets implements SessionSockets {
  readonly closed: { userId: string; sessionId: string | undefined }[] = [];
  failWith: Error | undefined;

  async close(userId: string, sessionId?: string): Promise<void> {
    this.closed.push({ userId, sessionId });
    if (this.failWith) throw this.failWith;
  }
}

interface StoredSession {
  session: NewSession;
  rid: string;
  prev: string | undefined;
  rotatedAtMs: number;
  riat: number;
  rexp: number;
  lastSeenAtMs: number;
}

/**
 * Mirrors the Redis store: current id rotates, previous id inside grace replays, anything else revokes; a
 * record vanishes at its refresh expiry by the clock, as the Redis key does by its TTL. Held to the
 * SessionStore contract (tests/support/contracts), which runs against both.
 */
export class FakeSessionStore implements SessionStore {
  private readonly stored = new Map<string, StoredSession>();
  readonly rotations: RotationRequest[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  private static key(userId: string, sessionId: string): string {
    return `${userId}:${sessionId}`;
  }

  /** The records still alive by the clock (an expired one is gone, like a Redis key past its TTL). */
  get records(): Map<string, StoredSession> {
    const nowMs = this.clock.nowMs();
    for (const [key, record] of this.stored) if (record.rexp <= nowMs) this.stored.delete(key);
    return this.stored;
  }

  async create(session: NewSession): Promise<void> {
    this.stored.set(FakeSessionStore.key(session.userId, session.sessionId), {
      session,
      rid: session.refreshId,
      prev: undefined,
      rotatedAtMs: 0,
      riat: session.issuedAtSeconds,
      rexp: session.refreshExpiresAtMs,
      lastSeenAtMs: session.createdAtMs,
    });
  }

  async rotate(request: RotationRequest): Promise<RotationOutcome> {
    this.rotations.push(request);
    const key = FakeSessionStore.key(request.userId, request.sessionId);
    const record = this.records.get(key);
    if (!record) return { kind: 'missing' };
    if (record.rid === request.presentedRefreshId) {
      record.prev = record.rid;
      record.rid = request.newRefreshId;
      record.rotatedAtMs = request.nowMs;
      record.riat = Math.floor(request.nowMs / 1000);
      record.rexp = Math.min(request.newRefreshExpiresAtMs, record.session.absoluteExpiresAtMs);
      record.lastSeenAtMs = request.nowMs;
      return {
        kind: 'rotated',
        refreshId: record.rid,
        issuedAtSeconds: record.riat,
        refreshExpiresAtMs: record.rexp,
      };
    }
    if (record.prev === request.presentedRefreshId && request.nowMs - record.rotatedAtMs <= request.graceMs) {
      return {
        kind: 'grace',
        refreshId: record.rid,
        issuedAtSeconds: record.riat,
        refreshExpiresAtMs: record.rexp,
      };
    }
    this.records.delete(key);
    return { kind: 'reused' };
  }

  async findActive(userId: string, sessionId: string): Promise<ActiveSession | null> {
    const record = this.records.get(FakeSessionStore.key(userId, sessionId));
    return record ? { sessionId, user: record.session.user } : null;
  }

  async list(userId: string, nowMs: number): Promise<SessionSummary[]> {
    return [...this.records.values()]
      .filter((record) => record.session.userId === userId && record.session.absoluteExpiresAtMs >= nowMs)
      .map((record) => ({
        id: record.session.sessionId,
        createdAt: new Date(record.session.createdAtMs),
        lastSeenAt: new Date(record.lastSeenAtMs),
        expiresAt: new Date(record.rexp),
        userAgent: record.session.userAgent,
        ip: record.session.ip,
      }));
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    return this.records.delete(FakeSessionStore.key(userId, sessionId));
  }

  async markEmailVerified(userId: string): Promise<void> {
    for (const record of this.records.values()) {
      if (record.session.userId === userId)
        record.session.user = { ...record.session.user, emailVerified: true };
    }
  }

  async revokeAll(userId: string, exceptSessionId?: string): Promise<string[]> {
    const revoked: string[] = [];
    for (const [key, record] of this.records) {
      if (record.session.userId !== userId || record.session.sessionId === exceptSessionId) continue;
      this.records.delete(key);
      revoked.push(record.session.sessionId);
    }
    return revoked;
  }
}

type TokenKind = 'access' | 'refresh';

/** Deterministic, unsigned tokens (`kind.base64url(claims)`), so equal claims give equal strings. */
export class FakeTokenService implements TokenService {
  readonly signed: { kind: TokenKind; claims: TokenClaims }[] = [];

  constructor(private readonly clock: Clock) {}

  private sign(kind: TokenKind, claims: TokenClaims): SignedToken {
    this.signed.push({ kind, claims });
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${kind}.${body}`, expiresAt: new Date(claims.expiresAtSeconds * 1000) };
  }

  private verify(kind: TokenKind, token: string, options: VerifyOptions = {}): TokenClaims | null {
    const [prefix, body] = token.split('.');
    if (prefix !== kind || !body) return null;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return null; // like the real service: garbage is "not authenticated", never an exception
    }
    const isLive = claims.expiresAtSeconds * 1000 > this.clock.nowMs();
    return isLive || options.allowExpired === true ? claims : null;
  }

  async signAccess(claims: TokenClaims): Promise<SignedToken> {
    return this.sign('access', claims);
  }

  async signRefresh(claims: TokenClaims): Promise<SignedToken> {
    return this.sign('refresh', claims);
  }

  async verifyAccess(token: string, options?: VerifyOptions): Promise<TokenClaims | null> {
    return this.verify('access', token, options);
  }

  async verifyRefresh(token: string): Promise<TokenClaims | null> {
    return this.verify('refresh', token);
  }
}

/** Records erased users and tombstones them in the directory, as the Redis eraser does. */
class FakeAccountEraser implements AccountEraser {
  readonly erased: string[] = [];

  constructor(private readonly directory: FakeUserDirectory) {}

  async erase(userId: string): Promise<void> {
    this.erased.push(userId);
    this.directory.entries.delete(userId);
    this.directory.deleted.add(userId);
  }
}

export interface FakeAuth {
  deps: AuthDeps & { directory: FakeUserDirectory; accounts: FakeAccountEraser };
  accounts: FakeAccountEraser;
  users: FakeUserRepository;
  directory: FakeUserDirectory;
  sessions: FakeSessionStore;
  tokens: FakeTokenService;
  passwords: RecordingPasswordHasher;
  limiter: FakeRateLimiter;
  sockets: RecordingSessionSockets;
  clock: FakeClock;
  metrics: RecordingMetrics;
  requestLog: RecordingRequestLog;
}

/** A full set of auth ports in memory; pass `tokens` to use a real TokenService instead of the fake. */
export function fakeAuth(
  options: { policy?: Partial<AuthPolicy>; tokens?: TokenService; clock?: FakeClock } = {},
): FakeAuth {
  const clock = options.clock ?? new FakeClock();
  const users = new FakeUserRepository(clock);
  const sessions = new FakeSessionStore(clock);
  const tokens = new FakeTokenService(clock);
  const passwords = new RecordingPasswordHasher();
  const limiter = new FakeRateLimiter(clock);
  const sockets = new RecordingSessionSockets();
  const directory = new FakeUserDirectory();
  const accounts = new FakeAccountEraser(directory);
  const metrics = new RecordingMetrics();
  const requestLog = new RecordingRequestLog();
  const deps: FakeAuth['deps'] = {
    users,
    directory,
    accounts,
    sessions,
    sockets,
    tokens: options.tokens ?? tokens,
    passwords,
    limiter,
    clock,
    policy: { ...TEST_POLICY, ...options.policy },
    metrics,
    requestLog,
  };
  return {
    deps,
    users,
    directory,
    accounts,
    sessions,
    tokens,
    passwords,
    limiter,
    sockets,
    clock,
    metrics,
    requestLog,
  };
}
