import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../shared/adapters/db/client.js';
import { runMigrations } from '../../shared/adapters/db/migrate.js';
import { createRedis } from '../../shared/adapters/redis/client.js';
import { createSessionStore } from '../../shared/adapters/redis/session-store.js';
import { type App, createApp } from '../../shared/http/create-app.js';
import {
  bearer,
  expectProblem,
  registerAccount,
  STRONG_PASSWORD,
  send,
  startApp,
  type TestApp,
} from '../support/auth-helpers.js';
import { timed } from '../support/poll.js';
import { createTestApp, jsonPost, randomEmail } from '../support/test-env.js';

type Started = TestApp & { stop(): Promise<void> };

/**
 * How long a dead or hung dependency may hold a request. The configured timeouts are 0.3-1 s, but a tight
 * wall-clock bound flakes on a loaded machine; this one is still far inside API Gateway's 29 s integration
 * timeout and far below what the libraries do unconfigured (ioredis retries for 70 s and more, pg waits
 * forever), so an unbounded wait fails it while a busy CI box does not.
 */
const DEADLINE_MS = 10_000;
const DEAD_REDIS = 'redis://127.0.0.1:1';
const DEAD_POSTGRES = 'postgres://postgres@127.0.0.1:1/x';
const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A TCP server that accepts connections and never answers: a hung dependency. */
async function startBlackHole(): Promise<{ url: (scheme: string) => string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: (scheme) => `${scheme}://postgres@127.0.0.1:${address.port}/x`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Closes an app whose Redis may be unreachable (quit would wait on a dead connection). */
async function closeDegraded(built: TestApp): Promise<void> {
  built.redis.disconnect();
  await built.pool.end();
}

/** A token pair signed by the app's own keys for a session that cannot be looked up. */
async function signedTokens(built: TestApp) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    userId: randomUUID(),
    sessionId: randomUUID(),
    tokenId: randomUUID(),
    issuedAtSeconds: now,
    expiresAtSeconds: now + 900,
  };
  const [access, refresh] = await Promise.all([
    built.deps.tokens.signAccess(claims),
    built.deps.tokens.signRefresh({ ...claims, expiresAtSeconds: now + 3600 }),
  ]);
  return { access: access.token, refresh: refresh.token };
}

/** 503 problem+json with Retry-After, quickly, leaking no internals. */
async function expectUnavailable(request: () => Promise<Response>): Promise<Response> {
  const { value: res, ms } = await timed(request);
  await expectProblem(res.clone(), 503, 'dependency_unavailable');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(ms).toBeLessThan(DEADLINE_MS);
  const text = await res.clone().text();
  expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|timed out|stack|ioredis|pg/i);
  expect(res.headers.getSetCookie()).toEqual([]);
  return res;
}

describe('dependency faults', () => {
  describe('Redis unreachable', () => {
    let built: TestApp;
    let app: App;
    let user: { email: string; password: string };

    beforeAll(async () => {
      built = await createTestApp({ REDIS_URL: DEAD_REDIS });
      app = built.app;
      user = { email: randomEmail(), password: STRONG_PASSWORD };
      // Postgres is fine, so the account exists; only Redis (sessions, limiter) is down.
      await built.deps.users.create({
        email: user.email,
        passwordHash: await built.deps.passwords.hash(user.password),
        displayName: 'Offline',
      });
    });

    afterAll(async () => {
      if (built) await closeDegraded(built);
    });

    it('answers GET /me with a bounded 503, never 200 or 500', async () => {
      const { access } = await signedTokens(built);

      await expectUnavailable(() => send(app, '/me', { headers: bearer(access) }));
      await expectUnavailable(() => send(app, '/auth/sessions', { headers: bearer(access) }));
    });

    it('answers login with the correct password with a bounded 503 and issues no tokens (limiter fails closed)', async () => {
      const res = await expectUnavailable(() =>
        send(app, '/auth/login', jsonPost({ ...user, transport: 'token' })),
      );

      const body = await res.text();
      expect(body).not.toContain('accessToken');
      expect(body).not.toContain('refreshToken');
    });

    it('answers refresh, logout, logout-all and register with a bounded 503', async () => {
      const { access, refresh } = await signedTokens(built);

      await expectUnavailable(() => send(app, '/auth/refresh', jsonPost({ refreshToken: refresh })));
      await expectUnavailable(() =>
        send(app, '/auth/refresh', { method: 'POST', headers: { cookie: `__Secure-refresh=${refresh}` } }),
      );
      await expectUnavailable(() => send(app, '/auth/logout', { method: 'POST', headers: bearer(access) }));
      await expectUnavailable(() =>
        send(app, '/auth/logout-all', { method: 'POST', headers: bearer(access) }),
      );
      await expectUnavailable(() =>
        send(
          app,
          '/auth/register',
          jsonPost({ email: randomEmail(), password: STRONG_PASSWORD, displayName: 'N' }),
        ),
      );
    });

    it('still rejects requests without valid credentials with 401 (no Redis needed to say no)', async () => {
      await expectProblem(await send(app, '/me'), 401, 'unauthenticated');
      await expectProblem(
        await send(app, '/me', { headers: bearer('forged.token.value') }),
        401,
        'unauthenticated',
      );
    });

    it('reports readiness 503 naming Redis as down, while liveness stays 200', async () => {
      const { value: ready, ms } = await timed(() => send(app, '/ready'));
      const health = await send(app, '/health');

      expect(ready.status).toBe(503);
      expect(ms).toBeLessThan(DEADLINE_MS);
      expect(ready.headers.get('retry-after')).toBe('1');
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        checks: { postgres: 'ok', redis: 'down' },
      });
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    });
  });

  describe('Redis hung (accepts connections, never replies)', () => {
    let hole: Awaited<ReturnType<typeof startBlackHole>>;
    let built: TestApp;
    const timeoutMs = 300;

    beforeAll(async () => {
      hole = await startBlackHole();
      built = await createTestApp({
        REDIS_URL: hole.url('redis').replace('postgres@', ''),
        REDIS_COMMAND_TIMEOUT_MS: String(timeoutMs),
      });
    });

    afterAll(async () => {
      if (built) await closeDegraded(built);
      await hole?.close();
    });

    it('answers with 503 once the command timeout fires, instead of waiting on the hung server', async () => {
      const { access } = await signedTokens(built);

      await expectUnavailable(() => send(built.app, '/me', { headers: bearer(access) }));
      await expectUnavailable(() =>
        send(built.app, '/auth/login', jsonPost({ email: randomEmail(), password: STRONG_PASSWORD })),
      );
    });
  });

  describe('Postgres unreachable', () => {
    let t: Started;

    beforeAll(async () => {
      t = await startApp({ DATABASE_URL: DEAD_POSTGRES });
    });

    afterAll(async () => {
      await t?.stop();
    });

    it('answers register and login with a bounded 503', async () => {
      await expectUnavailable(() =>
        send(
          t.app,
          '/auth/register',
          jsonPost({ email: randomEmail(), password: STRONG_PASSWORD, displayName: 'P' }),
        ),
      );
      await expectUnavailable(() =>
        send(
          t.app,
          '/auth/login',
          jsonPost({ email: randomEmail(), password: STRONG_PASSWORD, transport: 'token' }),
        ),
      );
    });

    it('reports readiness 503 naming Postgres as down, while liveness stays 200', async () => {
      const ready = await send(t.app, '/ready');

      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        checks: { postgres: 'down', redis: 'ok' },
      });
      expect((await send(t.app, '/health')).status).toBe(200);
    });
  });

  describe('Postgres hung (accepts connections, never replies)', () => {
    let hole: Awaited<ReturnType<typeof startBlackHole>>;
    let t: Started;

    beforeAll(async () => {
      hole = await startBlackHole();
      t = await startApp({ DATABASE_URL: hole.url('postgres'), DATABASE_CONNECT_TIMEOUT_MS: '300' });
    });

    afterAll(async () => {
      await t?.stop();
      await hole?.close();
    });

    it('answers login with 503 within the connect timeout', async () => {
      await expectUnavailable(() =>
        send(t.app, '/auth/login', jsonPost({ email: randomEmail(), password: STRONG_PASSWORD })),
      );
    });
  });

  describe('Postgres statement stuck behind a lock', () => {
    let t: Started;

    beforeAll(async () => {
      t = await startApp({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    });

    afterAll(async () => {
      await t?.stop();
    });

    it('answers 503 once the statement timeout fires, and the lock holder is unaffected', async () => {
      const email = randomEmail();
      const blocker = new pg.Client({ connectionString: t.env.DATABASE_URL });
      await blocker.connect();
      try {
        await blocker.query('begin');
        // An uncommitted row with the same email: the app's insert must wait on the unique index.
        await blocker.query(
          `insert into users (email, password_hash, display_name) values ($1, 'x', 'Blocker')`,
          [email],
        );

        await expectUnavailable(() =>
          send(
            t.app,
            '/auth/register',
            jsonPost({ email, password: STRONG_PASSWORD, displayName: 'Waiter' }),
          ),
        );
      } finally {
        await blocker.query('rollback');
        await blocker.end();
      }
      const { rows } = await t.pool.query('select 1 from users where email = $1', [email]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('a query that fails (users table renamed after migration)', () => {
    const name = `auth_broken_${randomBytes(6).toString('hex')}`;
    let t: Started;
    let app: App;
    const logged: { message: string; details: Record<string, unknown> }[] = [];

    const withAdmin = async (sql: string): Promise<void> => {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(sql);
      } finally {
        await admin.end();
      }
    };

    beforeAll(async () => {
      await withAdmin(`CREATE DATABASE "${name}"`);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      const { db, pool } = createDatabase({
        url: url.toString(),
        connectTimeoutMs: 5_000,
        statementTimeoutMs: 30_000,
      });
      try {
        await runMigrations(db);
        await pool.query('ALTER TABLE users RENAME TO users_gone');
      } finally {
        await pool.end();
      }
      t = await startApp({ DATABASE_URL: url.toString() });
      app = createApp({ ...t.deps, logError: (message, details) => logged.push({ message, details }) });
    });

    afterAll(async () => {
      await t?.stop();
      await withAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });

    it.each([
      ['login (a select)', '/auth/login', { transport: 'token' }],
      ['register (an insert with a password hash)', '/auth/register', { displayName: 'Leaky Name' }],
    ])(
      'answers %s with a clean 500 and logs no SQL, parameter, email or password',
      async (_label, path, extra) => {
        const email = `leak-${randomUUID()}@example.com`;
        const password = `pw ${randomUUID()}`;
        logged.length = 0;

        const res = await send(app, path, jsonPost({ email, password, ...extra }));

        await expectProblem(res.clone(), 500, 'internal_error');
        const body = await res.text();
        const log = JSON.stringify(logged);
        expect(logged).toHaveLength(1);
        for (const text of [body, log]) {
          expect(text).not.toMatch(/select|insert|users|"email"|\$1|params|Failed query|relation/i);
          expect(text).not.toContain(email);
          expect(text).not.toContain(email.split('@')[0]);
          expect(text).not.toContain(password);
          expect(text).not.toContain('$2');
          expect(text).not.toContain('Leaky Name');
        }
        // What is logged instead: our error class and the SQLSTATE (undefined_table), enough to act on.
        expect(log).toContain('DatabaseFailure');
        expect(log).toContain('42P01');
      },
    );
  });

  describe('session store down while Postgres and the limiter work', () => {
    let t: Started;
    let app: App;
    const logged: unknown[] = [];
    let deadRedis: ReturnType<typeof createRedis>;

    beforeAll(async () => {
      t = await startApp();
      deadRedis = createRedis({
        url: DEAD_REDIS,
        mode: 'standalone',
        keyPrefix: 'x:',
        commandTimeoutMs: 500,
      });
      app = createApp({
        ...t.deps,
        sessions: createSessionStore(deadRedis, 'x:'),
        logError: (message, details) => logged.push({ message, details }),
      });
    });

    afterAll(async () => {
      deadRedis?.disconnect();
      await t?.stop();
    });

    it.each(['token', 'cookie'])(
      'issues no tokens in %s mode when the session cannot be stored',
      async (transport) => {
        const account = await registerAccount(t.app);

        const res = await expectUnavailable(() =>
          send(app, '/auth/login', jsonPost({ email: account.email, password: account.password, transport })),
        );

        const body = await res.text();
        expect(body).not.toMatch(/accessToken"|refreshToken"|eyJ/);
        expect(res.headers.getSetCookie()).toEqual([]);
        const log = JSON.stringify(logged);
        expect(log).toContain('dependency_unavailable');
        expect(log).not.toContain(account.password);
        expect(log).not.toContain('eyJ');
      },
    );
  });

  describe('healthy dependencies', () => {
    let t: Started;

    beforeAll(async () => {
      t = await startApp();
    });

    afterAll(async () => {
      await t?.stop();
    });

    it('reports ready with every check ok', async () => {
      const res = await send(t.app, '/ready');

      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    });
  });
});
