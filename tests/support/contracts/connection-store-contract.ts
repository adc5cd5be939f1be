import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionRecord, ConnectionStore } from '../../../shared/domain/realtime/ports.js';
import { connectionFor } from '../realtime-redis.js';
import type { StoreTime } from './store-time.js';

/**
 * A ConnectionStore to hold to the contract. The store reads session liveness and the "has messaged" rule
 * from state other ports own, so the subject says how to arrange that state for its implementation.
 */
export interface ConnectionStoreSubject {
  store: ConnectionStore;
  time: StoreTime;
  /** The session behind a connection exists (a connection only counts while it does). */
  openSession(record: ConnectionRecord): Promise<void>;
  endSession(record: ConnectionRecord): Promise<void>;
  /** `from` has messaged `to`, so `to` may see `from`'s presence. */
  markMessaged(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

/** Contract clauses a known implementation breaks today; they run as `it.fails`, so fixing one turns it red. */
export type ConnectionStoreDrift = 'expiry' | 'connected-at' | 'atomic-cap';

const TTL = 600;

const withoutConnectedAt = ({ connectedAtMs: _at, ...record }: ConnectionRecord): ConnectionRecord => record;
const byId = (a: ConnectionRecord, b: ConnectionRecord) => a.connectionId.localeCompare(b.connectionId);

/** Who is connected, as every ConnectionStore must track it: the fake and the Redis adapter alike. */
export function connectionStoreContract(
  label: string,
  open: () => Promise<ConnectionStoreSubject>,
  drift: readonly ConnectionStoreDrift[] = [],
): void {
  const clause = (name: ConnectionStoreDrift) => (drift.includes(name) ? it.fails : it);

  describe(`ConnectionStore contract: ${label}`, () => {
    let subject: ConnectionStoreSubject;
    let store: ConnectionStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    async function added(record: ConnectionRecord, ttlSeconds = TTL, cap?: number) {
      await subject.openSession(record);
      return store.add(record, ttlSeconds, cap);
    }

    const live = async (userId: string) =>
      (await store.lookup(userId)).live.map(withoutConnectedAt).sort(byId);

    it("says whether a connection is the user's first, and finds it by id", async () => {
      const phone = connectionFor();
      const laptop = connectionFor(phone.userId);

      expect(await added(phone)).toEqual({ firstForUser: true });
      expect(await added(laptop)).toEqual({ firstForUser: false });

      expect(await store.find(phone.connectionId)).toEqual(phone);
      expect(await store.find(connectionFor().connectionId)).toBeNull();
    });

    it("looks up every live connection of a user and none of another user's", async () => {
      const phone = connectionFor();
      const laptop = connectionFor(phone.userId);
      await Promise.all([added(phone), added(laptop), added(connectionFor())]);

      expect(await live(phone.userId)).toEqual([phone, laptop].sort(byId));
      expect(await store.lookup(randomUUID())).toEqual({ live: [], ended: [] });
    });

    clause('connected-at')('says when each looked-up connection was added', async () => {
      const before = subject.time.nowMs();
      const record = connectionFor();
      await added(record);

      const [found] = (await store.lookup(record.userId)).live;

      expect(found?.connectedAtMs).toBeGreaterThanOrEqual(before);
      expect(found?.connectedAtMs).toBeLessThanOrEqual(subject.time.nowMs());
    });

    it('reports lastForUser only when the last device goes, and forgets what it removed', async () => {
      const phone = connectionFor();
      const laptop = connectionFor(phone.userId);
      await added(phone);
      await added(laptop);

      expect(await store.remove(phone)).toEqual({ lastForUser: false });
      expect(await store.find(phone.connectionId)).toBeNull();
      expect(await live(phone.userId)).toEqual([laptop]);
      expect(await store.remove(laptop)).toEqual({ lastForUser: true });
      expect(await live(phone.userId)).toEqual([]);
    });

    it('forget drops the by-id record of a connection', async () => {
      const record = connectionFor();
      await added(record);

      await store.forget(record.connectionId);

      expect(await store.find(record.connectionId)).toBeNull();
    });

    it('returns a connection whose session has ended as ended, never as live, and only once', async () => {
      const kept = connectionFor();
      const revoked = connectionFor(kept.userId);
      await added(kept);
      await added(revoked);
      await subject.endSession(revoked);

      const first = await store.lookup(kept.userId);
      const second = await store.lookup(kept.userId);

      expect(first.live.map(withoutConnectedAt)).toEqual([kept]);
      expect(first.ended.map(withoutConnectedAt)).toEqual([revoked]);
      expect(second.ended).toEqual([]);
      expect(second.live.map(withoutConnectedAt)).toEqual([kept]);
    });

    it('shows a user only to a viewer the user has messaged', async () => {
      const record = connectionFor();
      const friend = randomUUID();
      await added(record);
      await subject.markMessaged(record.userId, friend);

      expect((await store.lookup(record.userId, { visibleTo: friend })).live.map(withoutConnectedAt)).toEqual(
        [record],
      );
      expect(await store.lookup(record.userId, { visibleTo: randomUUID() })).toEqual({ live: [], ended: [] });
      expect(await store.lookup(friend, { visibleTo: record.userId })).toEqual({ live: [], ended: [] });
    });

    it('refuses a connection beyond the cap with too_many_connections and stores nothing for it', async () => {
      const first = connectionFor();
      const second = connectionFor(first.userId);
      await added(first, TTL, 1);

      await expect(added(second, TTL, 1)).rejects.toMatchObject({ code: 'too_many_connections' });

      expect(await store.find(second.connectionId)).toBeNull();
      expect(await live(first.userId)).toEqual([first]);
    });

    it('does not count connections whose session has ended toward the cap', async () => {
      const stale = connectionFor();
      await added(stale, TTL, 1);
      await subject.endSession(stale);

      expect(await added(connectionFor(stale.userId), TTL, 1)).toEqual({ firstForUser: true });
    });

    clause('atomic-cap')('holds the cap when handshakes race', async () => {
      const userId = randomUUID();
      const records = Array.from({ length: 6 }, () => connectionFor(userId));
      await Promise.all(records.map((record) => subject.openSession(record)));

      const outcomes = await Promise.allSettled(records.map((record) => store.add(record, TTL, 4)));

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(4);
      expect(await live(userId)).toHaveLength(4);
    });

    clause('expiry')('forgets a connection once its ttl has passed', async () => {
      const brief = connectionFor();
      const lasting = connectionFor(brief.userId);
      await added(brief, 1);
      const addedBy = subject.time.nowMs();
      await added(lasting);

      await subject.time.passes(addedBy + 1_000);

      expect(await store.find(brief.connectionId)).toBeNull();
      expect(await live(brief.userId)).toEqual([lasting]);
    });
  });
}
