import { randomBytes } from 'node:crypto';
import type { User } from '../../shared/domain/auth/ports.js';
import { DELETED_USER_NAME } from '../../shared/domain/chat/deleted-user.js';
import type { ChatMessage } from '../../shared/domain/chat/message.js';
import { sentAtOf } from '../../shared/domain/chat/message-id.js';
import type {
  ChatStore,
  DirectoryEntry,
  MessageDraft,
  UserDirectory,
} from '../../shared/domain/chat/ports.js';
import { type Clock, systemClock } from '../../shared/domain/clock.js';
import { AppError } from '../../shared/domain/errors.js';
import type {
  ConnectionLookup,
  ConnectionRecord,
  ConnectionStore,
  PushGateway,
  PushOutcome,
  TicketStore,
} from '../../shared/domain/realtime/ports.js';
import type { ConnectDeps } from '../../shared/domain/realtime/realtime-deps.js';
import type { ServerFrame } from '../../shared/domain/realtime/server-frames.js';
import { FakeGroupStore } from './group-fakes.js';
import { RecordingMetrics, RecordingRequestLog } from './recording-telemetry.js';

/** In-memory fakes of the realtime ports, for unit tests (no network). */

export class FakeConnectionStore implements ConnectionStore {
  /** Stored records (without `connectedAtMs`, as `find` returns them), by connection id. */
  readonly records = new Map<string, ConnectionRecord>();
  private readonly times = new Map<string, { connectedAtMs: number; expiresAtMs: number }>();
  readonly removed: string[] = [];
  readonly forgotten: string[] = [];
  /** Sessions that have ended: their connections are `ended` in lookups, as the Redis script reports. */
  readonly endedSessions = new Set<string>();
  /** `${from}>${to}` for every pair where `from` has messaged `to` (the `visibleTo` rule). */
  readonly messaged = new Set<string>();
  failRemoval = false;

  constructor(private readonly clock: Clock = systemClock) {}

  // Synchronous, like the Redis script: nothing interleaves between counting and adding.
  private liveOf(userId: string): ConnectionRecord[] {
    const nowMs = this.clock.nowMs();
    const live: ConnectionRecord[] = [];
    for (const [connectionId, record] of this.records) {
      const times = this.times.get(connectionId);
      if (times && times.expiresAtMs <= nowMs) {
        this.records.delete(connectionId);
        this.times.delete(connectionId);
      } else if (record.userId === userId && !this.endedSessions.has(record.sessionId)) {
        live.push({ ...record, ...(times && { connectedAtMs: times.connectedAtMs }) });
      }
    }
    return live;
  }

  async add(record: ConnectionRecord, ttlSeconds = 7_500, maxPerUser = Number.POSITIVE_INFINITY) {
    const live = this.liveOf(record.userId).length;
    if (live >= maxPerUser) throw new AppError('too_many_connections', 'Too many connections');
    const nowMs = this.clock.nowMs();
    this.records.set(record.connectionId, record);
    this.times.set(record.connectionId, { connectedAtMs: nowMs, expiresAtMs: nowMs + ttlSeconds * 1000 });
    return { firstForUser: live === 0 };
  }

  async find(connectionId: string): Promise<ConnectionRecord | null> {
    const times = this.times.get(connectionId);
    if (times && times.expiresAtMs <= this.clock.nowMs()) return null;
    return this.records.get(connectionId) ?? null;
  }

  async remove(record: ConnectionRecord): Promise<{ lastForUser: boolean }> {
    this.removed.push(record.connectionId);
    if (this.failRemoval) throw new Error('store down');
    this.records.delete(record.connectionId);
    this.times.delete(record.connectionId);
    return { lastForUser: this.liveOf(record.userId).length === 0 };
  }

  async forget(connectionId: string): Promise<void> {
    this.forgotten.push(connectionId);
    this.records.delete(connectionId);
    this.times.delete(connectionId);
  }

  async lookup(userId: string, options: { visibleTo?: string } = {}): Promise<ConnectionLookup> {
    if (options.visibleTo !== undefined && !this.messaged.has(`${userId}>${options.visibleTo}`)) {
      return { live: [], ended: [] };
    }
    const live = this.liveOf(userId);
    const ended = [...this.records.values()].filter(
      (record) => record.userId === userId && this.endedSessions.has(record.sessionId),
    );
    // The Redis script drops them as it reports them; `forgotten` lists only what callers asked to forget.
    for (const record of ended) {
      this.records.delete(record.connectionId);
      this.times.delete(record.connectionId);
    }
    return { live, ended };
  }
}

/** Records every push; answers 'delivered' unless told otherwise per connection. */
export class FakePushGateway implements PushGateway {
  readonly posts: { connectionId: string; frame: ServerFrame }[] = [];
  readonly disconnects: string[] = [];
  readonly outcomes = new Map<string, PushOutcome>();

  async post(connectionId: string, frame: ServerFrame): Promise<PushOutcome> {
    this.posts.push({ connectionId, frame });
    return this.outcomes.get(connectionId) ?? 'delivered';
  }

  async disconnect(connectionId: string): Promise<void> {
    this.disconnects.push(connectionId);
  }

  framesTo(connectionId: string): ServerFrame[] {
    return this.posts.filter((post) => post.connectionId === connectionId).map((post) => post.frame);
  }
}

export class FakeTicketStore implements TicketStore {
  readonly grants = new Map<string, { userId: string; sessionId: string; expiresAtMs: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async issue(grant: { userId: string; sessionId: string }, ttlSeconds = 30): Promise<string> {
    const ticket = randomBytes(32).toString('base64url');
    this.grants.set(ticket, { ...grant, expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000 });
    return ticket;
  }

  async consume(ticket: string): Promise<{ userId: string; sessionId: string } | null> {
    const stored = this.grants.get(ticket);
    this.grants.delete(ticket);
    if (!stored || stored.expiresAtMs <= this.clock.nowMs()) return null;
    return { userId: stored.userId, sessionId: stored.sessionId };
  }
}

/**
 * Just enough of a chat store for the delivery path: appends get stream-like ids, and a sender's repeated
 * clientMsgId finds its first message (a duplicate), as the Redis store's idempotency keys do.
 */
function fakeChatStore(): ChatStore & { drafts: MessageDraft[] } {
  const drafts: MessageDraft[] = [];
  const stored = new Map<string, ChatMessage>();
  return {
    drafts,
    async append(draft) {
      drafts.push(draft);
      const key = `${draft.from}:${draft.to}:${draft.clientMsgId}`;
      const earlier = stored.get(key);
      if (earlier) return { message: earlier, duplicate: true };
      const id = `${1_700_000_000_000 + drafts.length}-0`;
      const message: ChatMessage = { ...draft, id, sentAt: sentAtOf(id) };
      stored.set(key, message);
      return { message, duplicate: false };
    },
    async recordDelivery() {},
    async history() {
      return { messages: [], hasMore: false };
    },
    async contacts() {
      return [];
    },
    async markRead() {},
    async hasMessaged() {
      return true;
    },
    async peersMessagedBy() {
      return [];
    },
  };
}

/**
 * The user directory in memory. `put` keeps the newest version, like the Redis script; users never put are
 * answered by `fallback` (by default nobody exists). `reads` records every id looked up.
 */
export class FakeUserDirectory implements UserDirectory {
  readonly entries = new Map<string, DirectoryEntry & { updatedAt: Date }>();
  /** Tombstones of deleted accounts. */
  readonly deleted = new Set<string>();
  readonly reads: string[] = [];

  constructor(private readonly fallback: (userId: string) => DirectoryEntry | null = () => null) {}

  async put(entry: DirectoryEntry & { updatedAt: Date }): Promise<void> {
    if (this.deleted.has(entry.id)) return;
    const stored = this.entries.get(entry.id);
    if (stored && stored.updatedAt > entry.updatedAt) return;
    this.entries.set(entry.id, { ...entry });
  }

  async find(userId: string): Promise<DirectoryEntry | null> {
    this.reads.push(userId);
    if (this.deleted.has(userId)) return null;
    const stored = this.entries.get(userId);
    return stored ? { id: stored.id, displayName: stored.displayName } : this.fallback(userId);
  }

  async findMany(userIds: string[]): Promise<DirectoryEntry[]> {
    const found = await Promise.all(
      userIds.map((userId) =>
        this.deleted.has(userId)
          ? { id: userId, displayName: DELETED_USER_NAME, deleted: true as const }
          : this.find(userId),
      ),
    );
    return found.filter((entry): entry is DirectoryEntry => entry !== null);
  }
}

const userWithId = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  displayName: `User ${id.slice(0, 4)}`,
  createdAt: new Date(0),
  emailVerified: false,
});

/**
 * RealtimeDeps wired to in-memory fakes; every user and session exists unless a test says otherwise (add the
 * id to `missingUsers` or the session to `revokedSessions`).
 */
export function fakeRealtimeDeps(overrides: Partial<ConnectDeps> = {}) {
  const connections = new FakeConnectionStore();
  const push = new FakePushGateway();
  const chat = fakeChatStore();
  const groups = new FakeGroupStore();
  const missingUsers = new Set<string>();
  const directory = new FakeUserDirectory((id) =>
    missingUsers.has(id) ? null : { id, displayName: userWithId(id).displayName },
  );
  // One truth for "this session has ended", as in Redis: the session check and the connection lookup agree.
  const revokedSessions = connections.endedSessions;
  const metrics = new RecordingMetrics();
  const requestLog = new RecordingRequestLog();
  const deps: ConnectDeps = {
    connections,
    push,
    chat,
    groups,
    blocks: {
      block: async () => {},
      unblock: async () => {},
      list: async () => [],
    },
    tickets: new FakeTicketStore(),
    directory,
    sessions: {
      findActive: async (userId, sessionId) =>
        revokedSessions.has(sessionId) ? null : { sessionId, user: userWithId(userId) },
    },
    tokens: { verifyAccess: async () => null },
    limiter: { hit: async () => ({ allowed: true }), reset: async () => {} },
    clock: { nowMs: () => 1_700_000_100_000 },
    realtime: {
      ticketTtlSeconds: 30,
      connectionTtlSeconds: 600,
      frameLimit: 30,
      userFrameLimit: 100,
      frameWindowSeconds: 10,
      maxConnectionsPerUser: 10,
      connectLimit: { limit: 1000, windowSeconds: 60 },
      messageLimit: { limit: 1000, windowSeconds: 60 },
      searchLimit: { limit: 1000, windowSeconds: 60 },
      ticketLimit: { limit: 1000, windowSeconds: 60 },
      allowedOrigins: ['https://chat.example.test'],
    },
    metrics,
    requestLog,
    ...overrides,
  };
  return {
    deps,
    connections,
    push,
    chat,
    groups,
    directory,
    missingUsers,
    revokedSessions,
    metrics,
    requestLog,
  };
}
