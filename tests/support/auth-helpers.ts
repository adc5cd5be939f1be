import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import type * as Wire from '../../shared/contract/wire.js';
import type { App } from '../../shared/http/create-app.js';
import { createTestApp, fromIp, jsonPost, randomEmail } from './test-env.js';

/** Generous limits so suites that do not test throttling never trip over it. */
const RELAXED_LIMITS: Record<string, string> = {
  REGISTER_IP_LIMIT: '100000',
  LOGIN_IP_LIMIT: '100000',
  LOGIN_ACCOUNT_IP_LIMIT: '100000',
  LOGIN_ACCOUNT_LIMIT: '100000',
  MESSAGE_LIMIT: '100000',
  SEARCH_LIMIT: '100000',
  TICKET_LIMIT: '100000',
  WS_CONNECT_LIMIT: '100000',
  WS_USER_FRAME_LIMIT: '100000',
};

export const DEFAULT_IP = '203.0.113.10';
export const STRONG_PASSWORD = 'correct horse battery staple';

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

// Bodies as the wire contract declares them (the names predate it).
export type Problem = Wire.Problem;
export type UserBody = Wire.User;
export type TokenSession = Wire.TokenSession;
export type SessionBody = Wire.Session;

export interface Account {
  id: string;
  email: string;
  password: string;
  displayName: string;
}

export interface ParsedCookie {
  value: string;
  /** Attribute names lowercased; flag attributes map to ''. */
  attributes: Map<string, string>;
}

/** An app wired to the real Postgres/Redis, with a `stop` that removes its Redis keys and closes clients. */
export async function startApp(
  overrides: Record<string, string> = {},
): Promise<TestApp & { stop(): Promise<void> }> {
  const built = await createTestApp({ ...RELAXED_LIMITS, ...overrides });
  return {
    ...built,
    async stop() {
      await removeRedisKeys(built.env.REDIS_URL, built.env.REDIS_KEY_PREFIX).catch(() => {});
      await built.close();
    },
  };
}

/** Deletes every key under `prefix` (with a client of its own, since SCAN is not prefixed by ioredis). */
export async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('Refusing to delete keys without a prefix');
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  raw.on('error', () => {});
  try {
    await raw.connect();
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await raw.del(...keys);
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

/** Every key under `prefix`, prefix included (SCAN with a client of its own). */
export async function listRedisKeys(url: string, prefix: string): Promise<string[]> {
  if (!prefix) throw new Error('Refusing to list keys without a prefix');
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  raw.on('error', () => {});
  try {
    await raw.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  } finally {
    raw.disconnect();
  }
}

const escapeGlob = (value: string): string => value.replace(/[*?[\]\\]/g, (char) => `\\${char}`);

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export async function send(
  app: App,
  path: string,
  init: RequestInit = {},
  ip = DEFAULT_IP,
): Promise<Response> {
  return app.request(path, init, fromIp(ip));
}

export async function registerAccount(
  app: App,
  input: Partial<Omit<Account, 'id'>> = {},
  ip = DEFAULT_IP,
): Promise<Account> {
  const account = {
    email: input.email ?? randomEmail(),
    password: input.password ?? STRONG_PASSWORD,
    displayName: input.displayName ?? `Tester ${randomUUID().slice(0, 6)}`,
  };
  const res = await send(app, '/auth/register', jsonPost(account), ip);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const { user } = (await res.json()) as { user: UserBody };
  return { ...account, id: user.id };
}

export async function loginWithTokens(
  app: App,
  account: Pick<Account, 'email' | 'password'>,
  ip = DEFAULT_IP,
  headers: Record<string, string> = {},
): Promise<TokenSession> {
  const res = await send(
    app,
    '/auth/login',
    jsonPost({ email: account.email, password: account.password, transport: 'token' }, headers),
    ip,
  );
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenSession;
}

export interface CookieSession {
  access: string;
  refresh: string;
  response: Response;
}

export async function loginWithCookies(
  app: App,
  account: Pick<Account, 'email' | 'password'>,
  ip = DEFAULT_IP,
): Promise<CookieSession> {
  const res = await send(
    app,
    '/auth/login',
    jsonPost({ email: account.email, password: account.password }),
    ip,
  );
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookies = parseSetCookies(res);
  const access = cookies.get('__Host-access')?.value;
  const refresh = cookies.get('__Secure-refresh')?.value;
  if (!access || !refresh) throw new Error('login did not set both session cookies');
  return { access, refresh, response: res };
}

/** Set-Cookie headers by cookie name. */
export function parseSetCookies(res: Response): Map<string, ParsedCookie> {
  const cookies = new Map<string, ParsedCookie>();
  for (const header of res.headers.getSetCookie()) {
    const [pair = '', ...rest] = header.split(';');
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals).trim();
    const attributes = new Map<string, string>();
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.trim().split('=');
      attributes.set(key.toLowerCase(), value.join('='));
    }
    cookies.set(name, { value: pair.slice(equals + 1).trim(), attributes });
  }
  return cookies;
}

export const sessionIdOf = (token: string): string => {
  const sid = decodeJwt(token).sid;
  if (typeof sid !== 'string') throw new Error('token has no sid');
  return sid;
};

export async function me(app: App, headers: Record<string, string>): Promise<Response> {
  return send(app, '/me', { headers });
}

async function readProblem(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Problem;
}

/** A response must be a problem+json with this status and code (and a request id). */
export async function expectProblem(res: Response, status: number, code: Wire.ErrorCode): Promise<Problem> {
  const text = await res.clone().text();
  expect(res.status, `unexpected status; body: ${text}`).toBe(status);
  const problem = await readProblem(res);
  expect(problem).toMatchObject({ status, code });
  expect(problem.requestId).toEqual(expect.any(String));
  expect(problem.requestId).toBe(res.headers.get('x-request-id'));
  return problem;
}
