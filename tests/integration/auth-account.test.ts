import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Wire from '../../shared/contract/wire.js';
import {
  type Account,
  bearer,
  expectProblem,
  listRedisKeys,
  loginWithCookies,
  loginWithTokens,
  me,
  registerAccount,
  STRONG_PASSWORD,
  send,
  startApp,
  type TestApp,
} from '../support/auth-helpers.js';
import { jsonPost } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

const ACCOUNT_IP_LIMIT = 3;
const NEW_PASSWORD = 'a brand new passphrase';

let ipCounter = 0;
const freshIp = (): string => {
  ipCounter += 1;
  return `10.77.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

const jsonDelete = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'DELETE',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('password change and account deletion', () => {
  let t: Started;

  beforeAll(async () => {
    t = await startApp({ LOGIN_ACCOUNT_IP_LIMIT: String(ACCOUNT_IP_LIMIT) });
  });

  afterAll(async () => {
    await t?.stop();
  });

  const changePassword = (token: string, body: Wire.ChangePasswordRequest, ip: string) =>
    send(t.app, '/auth/password', jsonPost(body, bearer(token)), ip);
  const deleteMe = (token: string, body: Wire.DeleteAccountRequest, ip: string) =>
    send(t.app, '/me', jsonDelete(body, bearer(token)), ip);
  const refresh = (refreshToken: string, ip: string) =>
    send(t.app, '/auth/refresh', jsonPost({ refreshToken }), ip);

  describe('POST /auth/password', () => {
    it('changes the password, keeps the calling session and ends the others', async () => {
      const ip = freshIp();
      const account = await registerAccount(t.app, {}, ip);
      const here = await loginWithTokens(t.app, account, ip);
      const there = await loginWithTokens(t.app, account, ip);

      const res = await changePassword(
        here.accessToken,
        { currentPassword: account.password, newPassword: NEW_PASSWORD },
        ip,
      );

      expect(res.status).toBe(204);
      expect((await me(t.app, bearer(here.accessToken))).status).toBe(200);
      expect((await refresh(here.refreshToken, ip)).status).toBe(200);
      await expectProblem(await me(t.app, bearer(there.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refresh(there.refreshToken, ip), 401, 'unauthenticated');
      await expectProblem(
        await send(t.app, '/auth/login', jsonPost({ email: account.email, password: account.password }), ip),
        401,
        'invalid_credentials',
      );
      await loginWithTokens(t.app, { email: account.email, password: NEW_PASSWORD }, ip);
    });

    it('answers a wrong current password 401 and, past the login limit, 429 + Retry-After even when right', async () => {
      const ip = freshIp();
      const account = await registerAccount(t.app, {}, ip);
      const session = await loginWithTokens(t.app, account, ip);
      const wrong = { currentPassword: 'not the password', newPassword: NEW_PASSWORD };
      for (let attempt = 0; attempt < ACCOUNT_IP_LIMIT; attempt += 1) {
        await expectProblem(await changePassword(session.accessToken, wrong, ip), 401, 'invalid_credentials');
      }

      const right = await changePassword(
        session.accessToken,
        { currentPassword: account.password, newPassword: NEW_PASSWORD },
        ip,
      );

      await expectProblem(right.clone(), 429, 'rate_limited');
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // The login form shares the budget: the same (account, IP) is throttled there too.
      await expectProblem(
        await send(t.app, '/auth/login', jsonPost({ email: account.email, password: account.password }), ip),
        429,
        'rate_limited',
      );
    });

    it('refuses a new password the registration policy refuses (400, nothing changed)', async () => {
      const ip = freshIp();
      const account = await registerAccount(t.app, {}, ip);
      const session = await loginWithTokens(t.app, account, ip);

      const res = await changePassword(
        session.accessToken,
        { currentPassword: account.password, newPassword: 'password' },
        ip,
      );

      const problem = await expectProblem(res, 400, 'validation_failed');
      expect(problem.errors?.[0]?.path).toBe('newPassword');
      await loginWithTokens(t.app, account, ip);
    });

    it('rejects a cross-site cookie request (CSRF) and an unauthenticated one', async () => {
      const ip = freshIp();
      const account = await registerAccount(t.app, {}, ip);
      const cookies = await loginWithCookies(t.app, account, ip);
      const body = { currentPassword: account.password, newPassword: NEW_PASSWORD };

      const crossSite = await send(
        t.app,
        '/auth/password',
        jsonPost(body, {
          cookie: `__Host-access=${cookies.access}`,
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
        }),
        ip,
      );
      const anonymous = await send(t.app, '/auth/password', jsonPost(body), ip);

      await expectProblem(crossSite, 403, 'csrf_rejected');
      await expectProblem(anonymous, 401, 'unauthenticated');
      await loginWithTokens(t.app, account, ip);
    });
  });

  describe('DELETE /me', () => {
    /** Two accounts that wrote to each other, plus a third the leaver blocked. */
    async function conversation(): Promise<{ leaver: Account; peer: Account; blocked: Account; ip: string }> {
      const ip = freshIp();
      const [leaver, peer, blocked] = [
        await registerAccount(t.app, {}, ip),
        await registerAccount(t.app, {}, ip),
        await registerAccount(t.app, {}, ip),
      ];
      const leaverToken = (await loginWithTokens(t.app, leaver, ip)).accessToken;
      const peerToken = (await loginWithTokens(t.app, peer, ip)).accessToken;
      const say = (token: string, to: string, body: string) =>
        send(
          t.app,
          `/chat/conversations/${to}/messages`,
          jsonPost({ body, clientMsgId: randomUUID() }, bearer(token)),
          ip,
        );
      expect((await say(leaverToken, peer.id, `hello from ${leaver.email}`)).status).toBe(201);
      const reply = await say(peerToken, leaver.id, 'hi back');
      const { message } = (await reply.json()) as Wire.MessageResponse;
      await send(
        t.app,
        `/chat/conversations/${peer.id}/read`,
        jsonPost({ upTo: message.id }, bearer(leaverToken)),
        ip,
      );
      expect((await say(peerToken, leaver.id, 'unread one')).status).toBe(201);
      expect((await say(leaverToken, blocked.id, 'before the block')).status).toBe(201);
      const block = await send(
        t.app,
        `/chat/blocks/${blocked.id}`,
        { method: 'POST', headers: bearer(leaverToken) },
        ip,
      );
      expect(block.status).toBe(204);
      return { leaver, peer, blocked, ip };
    }

    it('refuses a wrong password (401), then is throttled like login (429)', async () => {
      const ip = freshIp();
      const account = await registerAccount(t.app, {}, ip);
      const session = await loginWithTokens(t.app, account, ip);
      for (let attempt = 0; attempt < ACCOUNT_IP_LIMIT; attempt += 1) {
        await expectProblem(
          await deleteMe(session.accessToken, { password: 'wrong one!' }, ip),
          401,
          'invalid_credentials',
        );
      }

      const right = await deleteMe(session.accessToken, { password: account.password }, ip);

      await expectProblem(right, 429, 'rate_limited');
      expect((await me(t.app, bearer(session.accessToken))).status).toBe(200);
    });

    it('deletes the account: no sign-in, no session, the email is free, peers keep history as "Deleted user"', async () => {
      const { leaver, peer, ip } = await conversation();
      const sessionA = await loginWithTokens(t.app, leaver, ip);
      const sessionB = await loginWithTokens(t.app, leaver, ip);

      const res = await deleteMe(sessionA.accessToken, { password: leaver.password }, ip);

      expect(res.status).toBe(204);
      await expectProblem(await me(t.app, bearer(sessionA.accessToken)), 401, 'unauthenticated');
      await expectProblem(await me(t.app, bearer(sessionB.accessToken)), 401, 'unauthenticated');
      await expectProblem(await refresh(sessionB.refreshToken, ip), 401, 'unauthenticated');
      await expectProblem(
        await send(t.app, '/auth/login', jsonPost({ email: leaver.email, password: leaver.password }), ip),
        401,
        'invalid_credentials',
      );
      const rows = await t.pool.query('select id from users where id = $1 or email = $2', [
        leaver.id,
        leaver.email,
      ]);
      expect(rows.rowCount).toBe(0);

      const peerToken = (await loginWithTokens(t.app, peer, ip)).accessToken;
      const contacts = (await (
        await send(t.app, '/chat/contacts', { headers: bearer(peerToken) }, ip)
      ).json()) as Wire.ContactsResponse;
      expect(contacts.contacts.map((c) => c.user)).toEqual([{ id: leaver.id, displayName: 'Deleted user' }]);
      const history = (await (
        await send(t.app, `/chat/conversations/${leaver.id}/messages`, { headers: bearer(peerToken) }, ip)
      ).json()) as Wire.MessagePage;
      expect(history.messages.map((m) => m.body)).toEqual([
        'unread one',
        'hi back',
        `hello from ${leaver.email}`,
      ]);
      await expectProblem(
        await send(
          t.app,
          `/chat/conversations/${leaver.id}/messages`,
          jsonPost({ body: 'anyone there?', clientMsgId: randomUUID() }, bearer(peerToken)),
          ip,
        ),
        404,
        'not_found',
      );

      const again = await registerAccount(t.app, { email: leaver.email, password: STRONG_PASSWORD }, ip);
      expect(again.id).not.toBe(leaver.id);
    });

    it('removes the user from their groups as a leave: the longest-standing member becomes admin', async () => {
      const ip = freshIp();
      const [leaver, peer] = [await registerAccount(t.app, {}, ip), await registerAccount(t.app, {}, ip)];
      const leaverToken = (await loginWithTokens(t.app, leaver, ip)).accessToken;
      const peerToken = (await loginWithTokens(t.app, peer, ip)).accessToken;
      const created = await send(
        t.app,
        '/chat/groups',
        jsonPost({ name: 'Pair', memberIds: [peer.id] }, bearer(leaverToken)),
        ip,
      );
      expect(created.status).toBe(201);
      const { group } = (await created.json()) as Wire.GroupResponse;
      const solo = await send(
        t.app,
        '/chat/groups',
        jsonPost({ name: 'Solo', memberIds: [] }, bearer(leaverToken)),
        ip,
      );
      const soloId = ((await solo.json()) as Wire.GroupResponse).group.id;

      expect((await deleteMe(leaverToken, { password: leaver.password }, ip)).status).toBe(204);

      const seen = await send(t.app, `/chat/groups/${group.id}`, { headers: bearer(peerToken) }, ip);
      expect(((await seen.json()) as Wire.GroupResponse).group.members).toEqual([
        { id: peer.id, displayName: peer.displayName, role: 'admin' },
      ]);
      const keys = await listRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX);
      expect(keys.filter((key) => key.includes(`{g:${soloId}}`))).toEqual([]);
    });

    it('leaves nothing of the user in Redis beyond the policy (tombstone, peers’ history, expiring counters)', async () => {
      const { leaver, peer, blocked, ip } = await conversation();
      const session = await loginWithTokens(t.app, leaver, ip);

      expect((await deleteMe(session.accessToken, { password: leaver.password }, ip)).status).toBe(204);

      const prefix = t.env.REDIS_KEY_PREFIX;
      const raw = new Redis(t.env.REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const keys = (await listRedisKeys(t.env.REDIS_URL, prefix)).map((key) => key.slice(prefix.length));
        const mentioning = keys.filter((key) => key.includes(leaver.id));
        const [low, high] = [leaver.id, peer.id].sort();
        const withPeer = `{c:${low}_${high}}`;
        const withBlocked = `{c:${[leaver.id, blocked.id].sort().join('_')}}`;
        const leftovers: string[] = [];
        for (const key of mentioning) {
          if (key === `{u:${leaver.id}}:profile`) {
            expect(await raw.hgetall(prefix + key)).toEqual({ deleted: '1' });
          } else if (key.startsWith(`{u:${peer.id}}:`) || key.startsWith(`{u:${blocked.id}}:`)) {
            // the peers' own contact lists, last messages and unread sets: theirs to keep
          } else if (key === `${withPeer}:messages` || key === `${withBlocked}:messages`) {
            // the history peers keep
          } else if (key.startsWith('rl:') || key.includes(':idem:')) {
            expect(await raw.pttl(prefix + key), key).toBeGreaterThan(0);
          } else {
            leftovers.push(key);
          }
        }
        expect(leftovers).toEqual([]);
        expect(keys.filter((key) => key.startsWith(`{u:${leaver.id}}`))).toEqual([
          `{u:${leaver.id}}:profile`,
        ]);
        expect(await raw.exists(`${prefix}${withBlocked}:blockers`)).toBe(0);
        for (const key of keys) {
          const type = await raw.type(prefix + key);
          if (type !== 'hash' && type !== 'string') continue;
          const value =
            type === 'hash'
              ? JSON.stringify(await raw.hgetall(prefix + key))
              : String(await raw.get(prefix + key));
          // The leaver's display name and email appear nowhere but in message bodies peers keep.
          expect(value.includes(leaver.displayName), key).toBe(false);
        }
      } finally {
        raw.disconnect();
      }
    });
  });
});
