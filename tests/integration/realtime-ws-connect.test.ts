import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/contract/wire.js';
import { bearer } from '../support/auth-helpers.js';
import { pollUntil } from '../support/poll.js';
import {
  isFrameOfType,
  openSocket,
  rejectedHandshake,
  type TestSocket,
} from '../support/realtime-ws-client.js';
import {
  ALLOWED_ORIGIN,
  issueTicket,
  onlineAmong,
  type RealtimeHarness,
  sendOverHttp,
  signUp,
  startRealtimeHarness,
  ticketUrl,
} from '../support/realtime-ws-harness.js';

describe('WebSocket $connect and $disconnect through the local emulator', () => {
  let h: RealtimeHarness;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    h = await startRealtimeHarness();
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await h.settled();
    expect(h.escaped).toEqual([]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const track = (socket: TestSocket): TestSocket => {
    sockets.push(socket);
    return socket;
  };

  /** The handshake must be refused with this status and code, and leave Redis exactly as it was. */
  async function expectRefusedWithoutWrites(
    url: string,
    options: Parameters<typeof rejectedHandshake>[1],
    status: number,
    code: ErrorCode,
  ): Promise<void> {
    const before = await h.redisKeys();
    const openBefore = h.gateway.connectionCount();

    const refused = await rejectedHandshake(url, options);

    expect(refused.status).toBe(status);
    expect(JSON.parse(refused.body)).toEqual({ code });
    expect(await h.redisKeys()).toEqual(before);
    expect(h.gateway.connectionCount()).toBe(openBefore);
  }

  it('accepts a ticket from an allowed origin and records the connection for its session', async () => {
    const user = await signUp(h);
    const ticket = await issueTicket(h, user);

    track(await openSocket(ticketUrl(h, ticket), { origin: ALLOWED_ORIGIN }));

    const [record] = (await h.deps.connections.lookup(user.id)).live;
    expect(record).toMatchObject({ userId: user.id, sessionId: user.sessionId });
    expect(await h.deps.connections.find(record?.connectionId ?? '')).toEqual({
      connectionId: record?.connectionId,
      userId: user.id,
      sessionId: user.sessionId,
    });
  });

  it('accepts a Bearer access token from a client that sends no Origin', async () => {
    const user = await signUp(h);

    track(await openSocket(h.gateway.url, { headers: bearer(user.accessToken) }));

    expect(await onlineAmong(h, [user.id])).toEqual(new Set([user.id]));
  });

  it('removes the connection record on $disconnect', async () => {
    const user = await signUp(h);
    const socket = await openSocket(h.gateway.url, { headers: bearer(user.accessToken) });
    const [record] = (await h.deps.connections.lookup(user.id)).live;

    await socket.close();
    await h.settled();

    expect(await h.deps.connections.find(record?.connectionId ?? '')).toBeNull();
    expect(await onlineAmong(h, [user.id])).toEqual(new Set());
  });

  it('refuses a handshake without a ticket or token with 401 and writes nothing', async () => {
    await expectRefusedWithoutWrites(h.gateway.url, { origin: ALLOWED_ORIGIN }, 401, 'unauthenticated');
  });

  it('refuses an unknown ticket with 401 and writes nothing', async () => {
    const forged = randomBytes(32).toString('base64url');

    await expectRefusedWithoutWrites(
      ticketUrl(h, forged),
      { origin: ALLOWED_ORIGIN },
      401,
      'unauthenticated',
    );
  });

  it('refuses a malformed Authorization header with 401 and writes nothing', async () => {
    const user = await signUp(h);
    const headers = { authorization: `Basic ${user.accessToken}` };

    await expectRefusedWithoutWrites(h.gateway.url, { headers }, 401, 'unauthenticated');
  });

  it('refuses a Bearer token whose session was revoked with 401 and writes nothing', async () => {
    const user = await signUp(h);
    await h.deps.sessions.revoke(user.id, user.sessionId);

    await expectRefusedWithoutWrites(
      h.gateway.url,
      { headers: bearer(user.accessToken) },
      401,
      'unauthenticated',
    );
  });

  it('refuses a foreign Origin with 403 before redeeming the ticket, and writes nothing', async () => {
    const user = await signUp(h);
    const ticket = await issueTicket(h, user);

    await expectRefusedWithoutWrites(
      ticketUrl(h, ticket),
      { origin: 'https://evil.example' },
      403,
      'forbidden',
    );

    track(await openSocket(ticketUrl(h, ticket), { origin: ALLOWED_ORIGIN }));
  });

  it('refuses a foreign Origin even with a valid Bearer token', async () => {
    const user = await signUp(h);
    const options = { origin: 'null', headers: bearer(user.accessToken) };

    await expectRefusedWithoutWrites(h.gateway.url, options, 403, 'forbidden');
  });

  it('lets a ticket open exactly one socket', async () => {
    const user = await signUp(h);
    const ticket = await issueTicket(h, user);
    track(await openSocket(ticketUrl(h, ticket), { origin: ALLOWED_ORIGIN }));

    await expectRefusedWithoutWrites(
      ticketUrl(h, ticket),
      { origin: ALLOWED_ORIGIN },
      401,
      'unauthenticated',
    );
  });

  it("announces a mutual contact's first socket as online and its last socket closing as offline", async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    expect((await sendOverHttp(h, alice, bob)).status).toBe(201);
    expect((await sendOverHttp(h, bob, alice)).status).toBe(201);
    const aliceSocket = track(await openSocket(h.gateway.url, { headers: bearer(alice.accessToken) }));
    const isBobPresence = (online: boolean) => (frame: unknown) =>
      isFrameOfType('presence')(frame) && frame.userId === bob.id && frame.online === online;

    const bobPhone = await openSocket(h.gateway.url, { headers: bearer(bob.accessToken) });
    await aliceSocket.waitForFrame(isBobPresence(true));
    const bobLaptop = await openSocket(h.gateway.url, { headers: bearer(bob.accessToken) });
    await bobPhone.close();
    await pollUntil(async () =>
      (await h.deps.connections.lookup(bob.id)).live.length === 1 ? true : undefined,
    );
    await bobLaptop.close();
    await aliceSocket.waitForFrame(isBobPresence(false));

    expect(aliceSocket.json().filter(isFrameOfType('presence'))).toEqual([
      { type: 'presence', userId: bob.id, online: true },
      { type: 'presence', userId: bob.id, online: false },
    ]);
  });
});
