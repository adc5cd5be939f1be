import type { User } from '../../shared/domain/auth/ports.js';
import type { ChatMessage } from '../../shared/domain/chat/message.js';
import { sentAtOf } from '../../shared/domain/chat/message-id.js';
import type { ChatStore, MessageDraft } from '../../shared/domain/chat/ports.js';
import type {
  ConnectionRecord,
  ConnectionStore,
  PushGateway,
  PushOutcome,
  TicketStore,
} from '../../shared/domain/realtime/ports.js';
import type { RealtimeDeps } from '../../shared/domain/realtime/realtime-deps.js';
import type { ServerFrame } from '../../shared/domain/realtime/server-frames.js';

/** In-memory fakes of the realtime ports, for unit tests (no network). */

export class FakeConnectionStore implements ConnectionStore {
  readonly records = new Map<string, ConnectionRecord>();
  readonly removed: string[] = [];
  failRemoval = false;

  async add(record: ConnectionRecord): Promise<{ firstForUser: boolean }> {
    const firstForUser = (await this.listForUser(record.userId)).length === 0;
    this.records.set(record.connectionId, record);
    return { firstForUser };
  }

  async find(connectionId: string): Promise<ConnectionRecord | null> {
    return this.records.get(connectionId) ?? null;
  }

  async remove(record: ConnectionRecord): Promise<{ lastForUser: boolean }> {
    this.removed.push(record.connectionId);
    if (this.failRemoval) throw new Error('store down');
    this.records.delete(record.connectionId);
    return { lastForUser: (await this.listForUser(record.userId)).length === 0 };
  }

  async listForUser(userId: string): Promise<ConnectionRecord[]> {
    return [...this.records.values()].filter((record) => record.userId === userId);
  }

  async onlineAmong(userIds: string[]): Promise<Set<string>> {
    const online = new Set([...this.records.values()].map((record) => record.userId));
    return new Set(userIds.filter((userId) => online.has(userId)));
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
  readonly grants = new Map<string, { userId: string; sessionId: string }>();

  async issue(grant: { userId: string; sessionId: string }): Promise<string> {
    const ticket = `t${this.grants.size}`.padEnd(43, 'x');
    this.grants.set(ticket, grant);
    return ticket;
  }

  async consume(ticket: string): Promise<{ userId: string; sessionId: string } | null> {
    const grant = this.grants.get(ticket) ?? null;
    this.grants.delete(ticket);
    return grant;
  }
}

/** Just enough of a chat store for the delivery path: appends get stream-like ids. */
export function fakeChatStore(): ChatStore & { drafts: MessageDraft[] } {
  const drafts: MessageDraft[] = [];
  return {
    drafts,
    async append(draft) {
      drafts.push(draft);
      const id = `${1_700_000_000_000 + drafts.length}-0`;
      const message: ChatMessage = { ...draft, id, sentAt: sentAtOf(id) };
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
  };
}

export const userWithId = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  displayName: `User ${id.slice(0, 4)}`,
  createdAt: new Date(0),
});

/** RealtimeDeps wired to in-memory fakes; every user and session exists unless a test says otherwise. */
export function fakeRealtimeDeps(overrides: Partial<RealtimeDeps> = {}) {
  const connections = new FakeConnectionStore();
  const push = new FakePushGateway();
  const chat = fakeChatStore();
  const revokedSessions = new Set<string>();
  const deps: RealtimeDeps = {
    connections,
    push,
    chat,
    tickets: new FakeTicketStore(),
    users: {
      findById: async (id) => userWithId(id),
      findByIds: async (ids) => ids.map(userWithId),
    },
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
      frameWindowSeconds: 10,
      allowedOrigins: ['https://chat.example.test'],
    },
    ...overrides,
  };
  return { deps, connections, push, chat, revokedSessions };
}
