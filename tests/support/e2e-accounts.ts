/**
 * Accounts and sign-ins over the public API. Every account is new and random, so files and reruns never
 * share state. Against a deployed stage with production limits (REGISTER_IP_LIMIT 30 per hour per
 * source IP) keep registrations few: a full run makes 29 register calls, 20 of them in the email race.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import { CookieJar, call, readJson, TokenPairSchema, type User, UserSchema } from './e2e-http.js';

export interface Account {
  user: User;
  email: string;
  password: string;
}

export const ACCESS_COOKIE = '__Host-access';
export const REFRESH_COOKIE = '__Secure-refresh';
export const REFRESH_PATH = '/auth/refresh';

export const UserEnvelopeSchema = z.object({ user: UserSchema });

export const randomEmail = (): string => `e2e-${randomUUID()}@example.com`;
/** Long, random and therefore never on a common-password list. */
export const randomPassword = (): string => `e2e pass ${randomUUID()}`;

/** Fails with an explanation instead of a bare status when the stage's sign-up throttle is exhausted. */
export function assertNotRegisterThrottled(statuses: number[]): void {
  if (!statuses.includes(429)) return;
  throw new Error(
    'Registration was rate limited (429): this suite makes 29 sign-ups per run from one address; raise the ' +
      'stage’s REGISTER_IP_LIMIT or wait for REGISTER_WINDOW_SECONDS to pass.',
  );
}

export async function registerAccount(): Promise<Account> {
  const email = randomEmail();
  const password = randomPassword();
  const res = await call('/auth/register', {
    json: { email, password, displayName: `E2E ${email.slice(4, 12)}` },
  });
  assertNotRegisterThrottled([res.status]);
  expect(res.status, await res.clone().text()).toBe(201);
  const { user } = await readJson(res, UserEnvelopeSchema);
  return { user, email, password };
}

const TokenLoginSchema = TokenPairSchema.extend({ user: UserSchema });

// Compile-time only: a login answer always has its user; refresh answers have none.
type _WireChecks = [
  Assert<Equals<z.infer<typeof UserEnvelopeSchema>, Wire.UserResponse>>,
  Assert<Equals<z.infer<typeof TokenLoginSchema>, Required<Wire.TokenSession>>>,
];

export async function loginWithTokens(account: Account, headers: Record<string, string> = {}) {
  const res = await call('/auth/login', {
    json: { email: account.email, password: account.password, transport: 'token' },
    headers,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return readJson(res, TokenLoginSchema);
}

/** A browser-like sign-in: the returned jar holds the two session cookies. */
export async function loginWithCookies(account: Account): Promise<{ jar: CookieJar; res: Response }> {
  const jar = new CookieJar();
  const res = await call('/auth/login', { json: { email: account.email, password: account.password }, jar });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(jar.get(ACCESS_COOKIE)).toBeTruthy();
  expect(jar.get(REFRESH_COOKIE)).toBeTruthy();
  return { jar, res };
}

export const refreshWithToken = (refreshToken: string): Promise<Response> =>
  call('/auth/refresh', { json: { refreshToken } });
