import { describe, expect, it } from 'vitest';
import { connectionsOf, fanOut } from '../../shared/domain/realtime/fan-out.js';
import type { ConnectionRecord } from '../../shared/domain/realtime/ports.js';
import type { ServerFrame } from '../../shared/domain/realtime/server-frames.js';
import { FakeConnectionStore, FakePushGateway } from '../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const PONG: ServerFrame = { type: 'pong' };

const record = (connectionId: string, userId: string): ConnectionRecord => ({
  connectionId,
  userId,
  sessionId: `s-${connectionId}`,
});

// Lookups also say when each socket connected; these tests compare the records themselves.
const stored = (record: ConnectionRecord): ConnectionRecord => ({
  ...record,
  connectedAtMs: expect.any(Number),
});

async function storeWith(...records: ConnectionRecord[]): Promise<FakeConnectionStore> {
  const store = new FakeConnectionStore();
  for (const item of records) await store.add(item);
  return store;
}

describe('connectionsOf', () => {
  it('lists every connection of every user, except the socket the request came in on', async () => {
    const laptop = record('alice-laptop', ALICE);
    const phone = record('alice-phone', ALICE);
    const bob = record('bob', BOB);
    const connections = await storeWith(laptop, phone, bob);

    const targets = await connectionsOf(
      { connections, push: new FakePushGateway() },
      [BOB, ALICE],
      laptop.connectionId,
    );

    expect(targets).toEqual([bob, phone].map(stored));
  });

  it('lists a user once even when named twice', async () => {
    const bob = record('bob', BOB);
    const connections = await storeWith(bob);

    expect(await connectionsOf({ connections, push: new FakePushGateway() }, [BOB, BOB])).toEqual([
      stored(bob),
    ]);
  });

  it('never lists a socket whose session has ended, and closes it instead', async () => {
    const revoked = record('bob-revoked', BOB);
    const kept = record('bob-kept', BOB);
    const connections = await storeWith(revoked, kept);
    connections.endedSessions.add(revoked.sessionId);
    const push = new FakePushGateway();

    const targets = await connectionsOf({ connections, push }, [BOB]);

    expect(targets).toEqual([stored(kept)]);
    expect(push.disconnects).toEqual(['bob-revoked']);
    expect(connections.forgotten).toEqual(['bob-revoked']);
  });

  it('lists a user for a viewer only when the user has messaged that viewer', async () => {
    const bob = record('bob', BOB);
    const connections = await storeWith(bob);
    const push = new FakePushGateway();

    expect(await connectionsOf({ connections, push }, [{ userId: BOB, visibleTo: ALICE }])).toEqual([]);
    connections.messaged.add(`${BOB}>${ALICE}`);
    expect(await connectionsOf({ connections, push }, [{ userId: BOB, visibleTo: ALICE }])).toEqual([
      stored(bob),
    ]);
  });

  it('lists nothing for users without connections', async () => {
    expect(
      await connectionsOf({ connections: new FakeConnectionStore(), push: new FakePushGateway() }, [
        ALICE,
        BOB,
      ]),
    ).toEqual([]);
  });
});

describe('fanOut', () => {
  it('pushes the frame to every target and counts the deliveries', async () => {
    const targets = [record('a', ALICE), record('b', BOB)];
    const push = new FakePushGateway();

    const delivered = await fanOut({ connections: await storeWith(...targets), push }, targets, PONG);

    expect(delivered).toBe(2);
    expect(push.posts).toEqual([
      { connectionId: 'a', frame: PONG },
      { connectionId: 'b', frame: PONG },
    ]);
  });

  it('removes only the connections the gateway reports gone', async () => {
    const live = record('live', ALICE);
    const stale = record('stale', BOB);
    const connections = await storeWith(live, stale);
    const push = new FakePushGateway();
    push.outcomes.set('stale', 'gone');

    const delivered = await fanOut({ connections, push }, [live, stale], PONG);

    expect(delivered).toBe(1);
    expect(connections.removed).toEqual(['stale']);
    expect(await connections.find('live')).toEqual(live);
    expect((await connections.lookup(BOB)).live).toEqual([]);
  });

  it('keeps a connection whose push failed (it may be throttling, not gone) and does not count it', async () => {
    const flaky = record('flaky', ALICE);
    const connections = await storeWith(flaky);
    const push = new FakePushGateway();
    push.outcomes.set('flaky', 'failed');

    expect(await fanOut({ connections, push }, [flaky], PONG)).toBe(0);
    expect(connections.removed).toEqual([]);
  });

  it('still delivers to the others when removing a gone connection fails', async () => {
    const stale = record('stale', BOB);
    const live = record('live', ALICE);
    const connections = await storeWith(stale, live);
    connections.failRemoval = true;
    const push = new FakePushGateway();
    push.outcomes.set('stale', 'gone');

    await expect(fanOut({ connections, push }, [stale, live], PONG)).resolves.toBe(1);
  });

  it('pushes to all targets in parallel, not one after another', async () => {
    const targets = [record('a', ALICE), record('b', BOB), record('c', BOB)];
    const started: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const push = {
      post: async (connectionId: string) => {
        started.push(connectionId);
        await gate;
        return 'delivered' as const;
      },
      disconnect: async () => {},
    };

    const pending = fanOut({ connections: await storeWith(...targets), push }, targets, PONG);
    await new Promise((resolve) => setImmediate(resolve));

    expect(started).toEqual(['a', 'b', 'c']);
    release();
    expect(await pending).toBe(3);
  });

  it('does nothing for no targets', async () => {
    const push = new FakePushGateway();

    expect(await fanOut({ connections: new FakeConnectionStore(), push }, [], PONG)).toBe(0);
    expect(push.posts).toEqual([]);
  });
});
