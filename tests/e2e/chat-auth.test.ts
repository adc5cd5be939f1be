import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiOrigin, bearer, call, readJson, SessionListSchema } from '../support/e2e-http.js';
import {
  type ConnectOptions,
  closeAllSockets,
  connect,
  connectRejected,
  frame,
  wsUrl,
} from '../support/e2e-ws.js';
import {
  anotherDevice,
  type ChatUser,
  chatUser,
  chatUsers,
  connectAs,
  contactOf,
  historyPage,
  issueTicket,
  messageWithId,
  newClientMsgId,
  postMessageOk,
  sendAndAck,
} from '../support/e2e-ws-chat.js';
import { clockPasses, pollUntil } from '../support/poll.js';

/** Waiting for a ticket to expire is only worth it when the stage's TTL is about the documented 30 s. */
const MAX_EXPIRY_WAIT_MS = 35_000;
const CLOSE_DEADLINE_MS = 5_000;

// Fails, naming WS_URL, when the stage under test has no WebSocket API: chat is never silently untested.
beforeAll(() => void wsUrl());

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

/** Origins a same-site browser page may open sockets from: the API's own, and its localhost alias locally. */
function allowedOrigins(): string[] {
  const origin = new URL(apiOrigin());
  if (origin.hostname !== '127.0.0.1') return [origin.origin];
  return [origin.origin, `${origin.protocol}//localhost:${origin.port}`];
}

async function sessionIdOf(user: ChatUser): Promise<string> {
  const res = await call('/auth/sessions', { headers: bearer(user.accessToken) });
  const { sessions } = await readJson(res, SessionListSchema);
  const current = sessions.find((session) => session.current);
  if (!current) throw new Error('no current session listed');
  return current.id;
}

describe('WebSocket handshake authentication', () => {
  it('opens a socket with a ticket from POST /chat/ticket that is valid for about 30 s', async () => {
    const user = await chatUser();
    const issuedAt = Date.now();

    const { ticket, expiresAt } = await issueTicket(user);
    const socket = await connect({ ticket });
    await socket.roundTrip();

    expect(ticket).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const lifetimeMs = Date.parse(expiresAt) - issuedAt;
    expect(lifetimeMs).toBeGreaterThan(5_000);
    expect(lifetimeMs).toBeLessThanOrEqual(60_000);
    expect(await call('/chat/ticket', { method: 'POST' }).then((res) => res.status)).toBe(401);
  });

  it('accepts a ticket once: a second handshake with it is refused with 401', async () => {
    const user = await chatUser();
    const { ticket } = await issueTicket(user);

    await connect({ ticket });
    const replay = await connectRejected({ ticket });

    expect(replay.status).toBe(401);
  });

  it('refuses an expired ticket with 401', async (context) => {
    const user = await chatUser();
    const { ticket, expiresAt } = await issueTicket(user);
    const expiry = Date.parse(expiresAt);
    if (expiry - Date.now() > MAX_EXPIRY_WAIT_MS) {
      context.skip(`this stage's tickets live longer than ${MAX_EXPIRY_WAIT_MS} ms`);
    }

    // One second of grace for the store's expiry resolution, then the ticket must be dead.
    await clockPasses(expiry + 1_000, MAX_EXPIRY_WAIT_MS + 2_000);
    const late = await connectRejected({ ticket });

    expect(late.status).toBe(401);
  }, 60_000);

  it('opens a socket for a non-browser client with an Authorization: Bearer access token', async () => {
    const user = await chatUser();

    const socket = await connect({ bearer: user.accessToken });
    await socket.roundTrip();

    expect(socket.isClosed).toBe(false);
  });

  const REFUSED: { name: string; options: () => Promise<ConnectOptions> }[] = [
    { name: 'no credentials at all', options: async () => ({}) },
    { name: 'an unknown ticket', options: async () => ({ ticket: randomBytes(32).toString('base64url') }) },
    { name: 'a malformed ticket', options: async () => ({ ticket: "x' OR '1'='1" }) },
    { name: 'a garbage Bearer token', options: async () => ({ bearer: 'not.a.jwt' }) },
    {
      name: 'a refresh token presented as Bearer',
      options: async () => ({ bearer: (await chatUser()).refreshToken }),
    },
    {
      name: 'a Basic authorization header',
      options: async () => ({ headers: { authorization: `Basic ${btoa('user:pass')}` } }),
    },
    {
      name: 'the access token of a signed-out session',
      options: async () => {
        const user = await chatUser();
        await call('/auth/logout', { method: 'POST', headers: bearer(user.accessToken) });
        return { bearer: user.accessToken };
      },
    },
    {
      name: 'a ticket whose session signed out before it was used',
      options: async () => {
        const user = await chatUser();
        const { ticket } = await issueTicket(user);
        await call('/auth/logout', { method: 'POST', headers: bearer(user.accessToken) });
        return { ticket };
      },
    },
  ];

  it.each(REFUSED)('refuses the handshake with 401 given $name', async ({ options }) => {
    const refused = await connectRejected(await options());

    expect(refused.status).toBe(401);
  });

  it('refuses a foreign or opaque Origin with 403 before spending the ticket', async () => {
    const user = await chatUser();
    const { ticket } = await issueTicket(user);

    const foreign = await connectRejected({ ticket, origin: 'https://evil.example' });
    const opaque = await connectRejected({ ticket, origin: 'null' });
    const lookalike = await connectRejected({ ticket, origin: `${apiOrigin()}.evil.example` });
    const socket = await connect({ ticket, origin: allowedOrigins()[0] });

    expect([foreign.status, opaque.status, lookalike.status]).toEqual([403, 403, 403]);
    await socket.roundTrip();
  });

  it('refuses a foreign Origin with 403 even with a valid Bearer token', async () => {
    const user = await chatUser();

    const refused = await connectRejected({ bearer: user.accessToken, origin: 'https://evil.example' });

    expect(refused.status).toBe(403);
  });

  it('accepts every allowlisted Origin', async () => {
    const user = await chatUser();

    for (const origin of allowedOrigins()) {
      const socket = await connect({ ticket: (await issueTicket(user)).ticket, origin });
      await socket.roundTrip();
      await socket.close();
    }
  });
});

describe('identity and session lifetime of a socket', () => {
  it('ignores a forged `from`: the message is always from the socket’s own user', async () => {
    const [alice, bob, mallory] = await chatUsers(3);
    if (!alice || !bob || !mallory) throw new Error('users missing');
    const mallorySocket = await connectAs(mallory);
    const bobSocket = await connectAs(bob);
    const clientMsgId = newClientMsgId();

    mallorySocket.send({
      action: 'sendMessage',
      from: alice.id,
      to: bob.id,
      body: 'I am Alice',
      clientMsgId,
    });
    const ack = await mallorySocket.waitFor(
      frame('ack', (candidate) => candidate.clientMsgId === clientMsgId),
    );
    const received = await bobSocket.waitFor(messageWithId(ack.message.id));

    expect(received.message).toMatchObject({ from: mallory.id, to: bob.id, body: 'I am Alice' });
    expect((await historyPage(bob, alice.id)).messages).toEqual([]);
    expect((await historyPage(bob, mallory.id)).messages.map((message) => message.from)).toEqual([
      mallory.id,
    ]);
  });

  it('closes the sockets of a session that logs out within 5 s, and only those', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    const alicePhone = await anotherDevice(alice);
    const laptop = await connectAs(alice, 'ticket', 'laptop');
    const laptopBearer = await connectAs(alice, 'bearer', 'laptop-2');
    const phone = await connectAs(alicePhone, 'ticket', 'phone');

    const res = await call('/auth/logout', { method: 'POST', headers: bearer(alice.accessToken) });

    expect(res.status).toBe(204);
    await Promise.all([laptop.waitForClose(CLOSE_DEADLINE_MS), laptopBearer.waitForClose(CLOSE_DEADLINE_MS)]);
    const ack = await sendAndAck(phone, bob.id, 'still here');
    expect(ack.message.from).toBe(alice.id);
  });

  it('closes every socket of the user on logout-all', async () => {
    const user = await chatUser();
    const otherSession = await anotherDevice(user);
    const sockets = [await connectAs(user, 'ticket'), await connectAs(otherSession, 'bearer')];

    const res = await call('/auth/logout-all', { method: 'POST', headers: bearer(user.accessToken) });

    expect(res.status).toBe(204);
    await Promise.all(sockets.map((socket) => socket.waitForClose(CLOSE_DEADLINE_MS)));
  });

  it('closes the sockets of a session revoked through DELETE /auth/sessions/{id}', async () => {
    const user = await chatUser();
    const lost = await anotherDevice(user);
    const kept = await connectAs(user, 'ticket', 'kept');
    const stolen = await connectAs(lost, 'ticket', 'stolen');

    const res = await call(`/auth/sessions/${await sessionIdOf(lost)}`, {
      method: 'DELETE',
      headers: bearer(user.accessToken),
    });

    expect(res.status).toBe(204);
    await stolen.waitForClose(CLOSE_DEADLINE_MS);
    await kept.roundTrip();
    expect(kept.isClosed).toBe(false);
  });

  it('tells online contacts the user went offline when the last session logs out', async () => {
    const [alice, bob] = await chatUsers(2);
    if (!alice || !bob) throw new Error('users missing');
    await postMessageOk(alice, bob.id, 'contacts');
    await postMessageOk(bob, alice.id, 'mutual contacts');
    const bobSocket = await connectAs(bob);
    const aliceSocket = await connectAs(alice);
    await bobSocket.waitFor(frame('presence', (presence) => presence.userId === alice.id && presence.online));

    await call('/auth/logout', { method: 'POST', headers: bearer(alice.accessToken) });
    await aliceSocket.waitForClose(CLOSE_DEADLINE_MS);

    await bobSocket.waitFor(
      frame('presence', (presence) => presence.userId === alice.id && !presence.online),
    );
    const offline = await pollUntil(
      async () => ((await contactOf(bob, alice.id))?.online === false ? true : undefined),
      { what: 'contacts to show Alice offline' },
    );
    expect(offline).toBe(true);
  });
});
