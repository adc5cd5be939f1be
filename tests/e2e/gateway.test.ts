import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/contract/wire.js';
import {
  ACCESS_COOKIE,
  type Account,
  loginWithCookies,
  REFRESH_COOKIE,
  randomEmail,
  randomPassword,
  registerAccount,
} from '../support/e2e-accounts.js';
import { type CallOptions, call, expectProblem } from '../support/e2e-http.js';

const EVIL_ORIGIN = 'https://evil.example';
const OVERSIZE_BYTES = 20 * 1024;

const credentials = () => ({ email: randomEmail(), password: randomPassword() });
const oversizeJson = (): string => JSON.stringify({ ...credentials(), padding: 'x'.repeat(OVERSIZE_BYTES) });

function chunkedBody(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 4096));
      offset += 4096;
    },
  });
}

interface ErrorCase {
  name: string;
  path: string;
  options: () => CallOptions;
  status: number;
  code: ErrorCode;
}

const ERROR_CASES: ErrorCase[] = [
  {
    name: 'a cross-site POST (Origin https://evil.example)',
    path: '/auth/login',
    options: () => ({ json: credentials(), headers: { origin: EVIL_ORIGIN } }),
    status: 403,
    code: 'csrf_rejected',
  },
  {
    name: 'a POST marked Sec-Fetch-Site: cross-site without Origin',
    path: '/auth/login',
    options: () => ({ json: credentials(), headers: { 'sec-fetch-site': 'cross-site' } }),
    status: 403,
    code: 'csrf_rejected',
  },
  {
    name: 'a POST from an opaque origin (Origin: null)',
    path: '/auth/register',
    options: () => ({ json: { ...credentials(), displayName: 'Null' }, headers: { origin: 'null' } }),
    status: 403,
    code: 'csrf_rejected',
  },
  {
    name: 'a text/plain body, even one holding JSON',
    path: '/auth/login',
    options: () => ({
      method: 'POST',
      body: JSON.stringify(credentials()),
      headers: { 'content-type': 'text/plain' },
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a 20 KiB JSON body',
    path: '/auth/register',
    options: () => ({
      method: 'POST',
      body: oversizeJson(),
      headers: { 'content-type': 'application/json' },
    }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a 20 KiB JSON body sent chunked, without Content-Length',
    path: '/auth/register',
    options: () => ({
      method: 'POST',
      body: chunkedBody(oversizeJson()),
      headers: { 'content-type': 'application/json' },
    }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'malformed JSON',
    path: '/auth/login',
    options: () => ({
      method: 'POST',
      body: '{"email": "a@b.c", ',
      headers: { 'content-type': 'application/json' },
    }),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a password that is not a string',
    path: '/auth/login',
    options: () => ({ json: { email: randomEmail(), password: 12345678 } }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a NUL byte in the email',
    path: '/auth/register',
    options: () => ({
      json: { email: 'nul\u0000@example.com', password: randomPassword(), displayName: 'Nul' },
    }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an unknown route',
    path: '/no-such-route',
    options: () => ({}),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an authenticated route without credentials',
    path: '/auth/sessions',
    options: () => ({}),
    status: 401,
    code: 'unauthenticated',
  },
];

describe('errors through the gateway', () => {
  for (const errorCase of ERROR_CASES) {
    it(`answers ${errorCase.name} with ${errorCase.status} ${errorCase.code} as problem+json`, async () => {
      const res = await call(errorCase.path, errorCase.options());

      const problem = await expectProblem(res, errorCase.status, errorCase.code);
      expect(problem.type).toEqual(expect.any(String));
      expect(problem.title).toEqual(expect.any(String));
      expect(res.headers.get('cache-control')).toContain('no-store');
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  }

  it('gives a 401 a WWW-Authenticate: Bearer challenge', async () => {
    const res = await call('/me');

    await expectProblem(res, 401, 'unauthenticated');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });
});

describe('cookies and CSRF through the gateway', () => {
  let account: Account;

  beforeAll(async () => {
    account = await registerAccount();
  });

  it('delivers the response cookies as separate Set-Cookie headers, one cookie each', async () => {
    const { res } = await loginWithCookies(account);

    const headers = res.headers.getSetCookie();
    expect(headers).toHaveLength(2);
    const names = headers.map((header) => header.slice(0, header.indexOf('=')));
    expect(names.sort()).toEqual([ACCESS_COOKIE, REFRESH_COOKIE].sort());
    for (const header of headers) {
      const others = names.filter((name) => !header.startsWith(`${name}=`));
      for (const other of others) expect(header).not.toContain(`${other}=`);
    }
  });

  it('rejects a cross-site cookie-authenticated POST and leaves the session alive', async () => {
    const { jar } = await loginWithCookies(account);

    const res = await call('/auth/logout-all', {
      method: 'POST',
      jar: jar.clone(),
      headers: { origin: EVIL_ORIGIN, 'sec-fetch-site': 'cross-site' },
    });

    await expectProblem(res, 403, 'csrf_rejected');
    expect((await call('/me', { jar })).status).toBe(200);
  });

  it('accepts a same-origin cookie-authenticated POST', async () => {
    const { jar } = await loginWithCookies(account);

    const res = await call('/auth/logout', { method: 'POST', jar });

    expect(res.status).toBe(204);
  });
});
