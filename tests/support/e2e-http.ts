/**
 * Black-box HTTP client for the e2e suite: only `API_URL`, Node fetch and a hand-rolled cookie jar
 * (the session cookies are `Secure`, which the local emulator's plain http would never get back from a
 * browser, so the jar sends them itself, honouring each cookie's Path like a browser does).
 */
import { expect, inject } from 'vitest';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import { ERROR_CODES } from '../../shared/domain/errors.js';

/** Below the gateway's 30 s integration timeout, so a hung request fails as a timeout, not a hang. */
const REQUEST_TIMEOUT_MS = 29_000;

export const apiUrl = (): string => inject('apiUrl');

/** The API's own origin, which a same-origin browser page would send as `Origin`. */
export const apiOrigin = (): string => new URL(apiUrl()).origin;

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lowercased; flag attributes map to ''. */
  attributes: Map<string, string>;
  raw: string;
}

export function parseSetCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map((raw) => {
    const [pair = '', ...rest] = raw.split(';');
    const equals = pair.indexOf('=');
    const attributes = new Map<string, string>();
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.trim().split('=');
      attributes.set(key.toLowerCase(), value.join('='));
    }
    return { name: pair.slice(0, equals).trim(), value: pair.slice(equals + 1).trim(), attributes, raw };
  });
}

export function setCookieNamed(res: Response, name: string): SetCookie {
  const cookie = parseSetCookies(res).find((candidate) => candidate.name === name);
  if (!cookie)
    throw new Error(`no Set-Cookie for ${name}; got ${JSON.stringify(res.headers.getSetCookie())}`);
  return cookie;
}

/** RFC 6265 §5.1.4 path-match. */
const pathMatches = (requestPath: string, cookiePath: string): boolean =>
  requestPath === cookiePath ||
  (requestPath.startsWith(cookiePath) &&
    (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));

export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  absorb(res: Response): void {
    for (const cookie of parseSetCookies(res)) {
      const maxAge = cookie.attributes.get('max-age');
      if (cookie.value === '' || (maxAge !== undefined && Number(maxAge) <= 0))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, { value: cookie.value, path: cookie.attributes.get('path') ?? '/' });
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string, path: string): void {
    this.cookies.set(name, { value, path });
  }

  /** The Cookie header a browser would send to `path`, or undefined when no cookie applies. */
  headerFor(path: string): string | undefined {
    const pairs = [...this.cookies]
      .filter(([, cookie]) => pathMatches(path, cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`);
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, cookie] of this.cookies) copy.set(name, cookie.value, cookie.path);
    return copy;
  }
}

export interface CallOptions {
  method?: string;
  /** Serialised as the body with `content-type: application/json`. */
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Sends its cookies and browser-like same-origin headers, and stores the cookies the response sets. */
  jar?: CookieJar;
}

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.jar) {
    const cookie = options.jar.headerFor(path);
    if (cookie) headers.cookie = cookie;
    headers['sec-fetch-site'] = 'same-origin';
    headers.origin = apiOrigin();
  }
  Object.assign(headers, options.headers);
  const init: RequestInit & { duplex?: 'half' } = {
    method: options.method ?? (options.json === undefined && options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.json === undefined ? options.body : JSON.stringify(options.json),
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
  if (init.body instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${apiUrl()}${path}`, init);
  options.jar?.absorb(res);
  return res;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const UserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  createdAt: z.iso.datetime(),
  emailVerified: z.boolean(),
});
export type User = Wire.User;

export const TokenPairSchema = z.object({
  accessToken: z.string().min(1),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string().min(1),
  refreshTokenExpiresAt: z.iso.datetime(),
});
/** The tokens of a token-mode answer, without the user (refresh answers carry none). */
type TokenPair = Omit<Wire.TokenSession, 'user'>;

const SessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  userAgent: z.string(),
  ip: z.string(),
  current: z.boolean(),
});
type Session = Wire.Session;

export const SessionListSchema = z.object({ sessions: z.array(SessionSchema) });

const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(ERROR_CODES),
  detail: z.string(),
  requestId: z.string().min(1),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  userIds: z.array(z.string()).optional(),
});
export type Problem = Wire.Problem;

// Compile-time only: these validators accept exactly the server's wire types, so a drift fails `tsc`.
type _WireChecks = [
  Assert<Equals<z.infer<typeof UserSchema>, User>>,
  Assert<Equals<z.infer<typeof TokenPairSchema>, TokenPair>>,
  Assert<Equals<z.infer<typeof SessionSchema>, Session>>,
  Assert<Equals<z.infer<typeof SessionListSchema>, Wire.SessionsResponse>>,
  Assert<Equals<z.infer<typeof ProblemSchema>, Problem>>,
];

/** Reads a JSON body, failing with the raw text when it is not what `schema` describes. */
export async function readJson<T extends z.ZodType>(res: Response, schema: T): Promise<z.infer<T>> {
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: body is not JSON: ${text.slice(0, 500)}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new Error(`HTTP ${res.status}: unexpected body ${text.slice(0, 500)}`);
  return result.data;
}

/** Asserts an RFC 9457 problem+json with this status and stable code, tied to the response's request id. */
export async function expectProblem(res: Response, status: number, code: Wire.ErrorCode): Promise<Problem> {
  const text = await res.clone().text();
  expect(res.status, `unexpected status; body: ${text.slice(0, 500)}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const problem = await readJson(res, ProblemSchema);
  expect(problem).toMatchObject({ status, code });
  expect(problem.requestId).toBe(res.headers.get('x-request-id'));
  return problem;
}

/** Claims of a JWT, decoded without verification (signature checks use the JWKS where they matter). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return z
    .record(z.string(), z.unknown())
    .parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
}
