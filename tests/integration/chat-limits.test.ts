import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, send } from '../support/auth-helpers.js';
import { tokenFromMail } from '../support/fakes-email-verification.js';
import { pollUntil } from '../support/poll.js';
import {
  isFrameOfType,
  openSocket,
  rejectedHandshake,
  type TestSocket,
} from '../support/realtime-ws-client.js';
import {
  issueTicket,
  type RealtimeHarness,
  type SignedInUser,
  sendOverHttp,
  signUp,
  startRealtimeHarness,
} from '../support/realtime-ws-harness.js';
import { jsonPost } from '../support/test-env.js';

const MESSAGE_LIMIT = 5;
const SEARCH_LIMIT = 3;
const TICKET_LIMIT = 3;
const CONNECT_LIMIT = 4;
const MAX_SOCKETS = 2;

describe('per-user budgets: messages, search, tickets, handshakes and open sockets', () => {
  let h: RealtimeHarness;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    h = await startRealtimeHarness({
      MESSAGE_LIMIT: String(MESSAGE_LIMIT),
      SEARCH_LIMIT: String(SEARCH_LIMIT),
      TICKET_LIMIT: String(TICKET_LIMIT),
      WS_CONNECT_LIMIT: String(CONNECT_LIMIT),
      WS_MAX_CONNECTIONS_PER_USER: String(MAX_SOCKETS),
    });
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await h.settled();
    expect(h.escaped).toEqual([]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function connect(user: SignedInUser): Promise<TestSocket> {
    const socket = await openSocket(h.gateway.url, { headers: bearer(user.accessToken) });
    sockets.push(socket);
    return socket;
  }

  async function historyCount(user: SignedInUser, peer: SignedInUser): Promise<number> {
    const res = await send(h.built.app, `/chat/conversations/${peer.id}/messages?limit=100`, {
      headers: bearer(user.accessToken),
    });
    return ((await res.json()) as { messages: unknown[] }).messages.length;
  }

  const search = (user: SignedInUser, query: string) =>
    send(h.built.app, `/users?query=${encodeURIComponent(query)}`, { headers: bearer(user.accessToken) });

  describe('messages', () => {
    it('shares one budget between WebSocket and HTTP sends, refusing with a retry hint on both', async () => {
      const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
      const socket = await connect(alice);
      for (let i = 0; i < MESSAGE_LIMIT - 1; i += 1) {
        socket.send({ action: 'sendMessage', to: bob.id, body: `ws ${i}`, clientMsgId: `ws-${i}` });
        await socket.waitForFrame((frame) => (frame as { clientMsgId?: string }).clientMsgId === `ws-${i}`);
      }
      expect((await sendOverHttp(h, alice, bob)).status).toBe(201);

      const refused = await sendOverHttp(h, alice, bob);
      socket.send({ action: 'sendMessage', to: bob.id, body: 'one too many', clientMsgId: 'ws-over' });

      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
      const frame = await socket.waitForFrame(
        (sent) =>
          isFrameOfType('error')(sent) && (sent as { clientMsgId?: string }).clientMsgId === 'ws-over',
      );
      expect(frame).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
      expect(await historyCount(bob, alice)).toBe(MESSAGE_LIMIT);
    });

    it('answers a burst of 300 concurrent sends with 201 or 429 only, storing exactly the budget', async () => {
      const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);

      const statuses = await Promise.all(
        Array.from({ length: 300 }, () => sendOverHttp(h, alice, bob).then((res) => res.status)),
      );

      expect(statuses.filter((status) => status === 201)).toHaveLength(MESSAGE_LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(300 - MESSAGE_LIMIT);
      expect(await historyCount(bob, alice)).toBe(MESSAGE_LIMIT);
    });
  });

  describe('people search', () => {
    it('finds a person by the whole verified email only, never by a growing part of it', async () => {
      const [alice, victim] = await Promise.all([signUp(h), signUp(h)]);
      const [local, domain] = victim.email.split('@') as [string, string];

      const parts = [`@${domain.slice(0, 3)}`, local.slice(0, 8)];
      for (const part of parts) {
        const res = await search(alice, part);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { users: { id: string }[] }).users.map((u) => u.id)).not.toContain(
          victim.id,
        );
      }
      // Only a verified address is findable (tests/integration/email-verification.test.ts covers the unverified one).
      const token = tokenFromMail(h.built.mail.find((mail) => mail.to === victim.email));
      expect((await send(h.built.app, '/auth/email/verify', jsonPost({ token }))).status).toBe(204);
      const whole = await search(alice, ` ${victim.email.toUpperCase()} `);
      expect(await whole.json()).toEqual({ users: [{ id: victim.id, displayName: victim.displayName }] });
    });

    it('throttles searches per user with 429 and Retry-After', async () => {
      const alice = await signUp(h);
      for (let i = 0; i < SEARCH_LIMIT; i += 1) expect((await search(alice, 'someone')).status).toBe(200);

      const refused = await search(alice, 'someone');

      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await search(await signUp(h), 'someone')).status).toBe(200);
    });

    it('refuses control characters with 400 validation_failed, never a 500', async () => {
      const alice = await signUp(h);

      for (const query of ['\u0000', 'a\u0000b', '\u001b[31m', 'x\u00ady']) {
        const res = await search(alice, query);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'validation_failed' });
      }
    });
  });

  describe('tickets and handshakes', () => {
    it('throttles ticket issue per user', async () => {
      const alice = await signUp(h);
      for (let i = 0; i < TICKET_LIMIT; i += 1) await issueTicket(h, alice);

      const refused = await send(h.built.app, '/chat/ticket', {
        method: 'POST',
        headers: bearer(alice.accessToken),
      });

      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
    });

    it(`refuses a socket beyond ${MAX_SOCKETS} per user with 429, and accepts one again after a close`, async () => {
      const alice = await signUp(h);
      const [first] = [await connect(alice), await connect(alice)];

      const refused = await rejectedHandshake(h.gateway.url, { headers: bearer(alice.accessToken) });

      expect(refused).toMatchObject({ status: 429 });
      expect(JSON.parse(refused.body)).toEqual({ code: 'too_many_connections' });
      await first?.close();
      await pollUntil(
        async () => ((await h.deps.connections.lookup(alice.id)).live.length === 1 ? true : undefined),
        {
          what: 'the closed socket to be forgotten',
        },
      );
      await connect(alice);
    });

    it('throttles handshakes per user', async () => {
      const alice = await signUp(h);
      for (let i = 0; i < CONNECT_LIMIT; i += 1) {
        const socket = await openSocket(h.gateway.url, { headers: bearer(alice.accessToken) });
        await socket.close();
      }

      const refused = await rejectedHandshake(h.gateway.url, { headers: bearer(alice.accessToken) });

      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toEqual({ code: 'rate_limited' });
    });
  });
});
