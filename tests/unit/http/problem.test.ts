import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import { describe, expect, it } from 'vitest';
import {
  AppError,
  dependencyUnavailable,
  ERROR_CODES,
  type ErrorCode,
  unauthenticated,
} from '../../../shared/domain/errors.js';
import { toAppError } from '../../../shared/http/problem.js';
import { problemOf, tinyApp } from './tiny-app.js';

const throwing = (error: unknown) =>
  tinyApp((app) => {
    app.get('/fail', () => {
      throw error;
    });
  });

/**
 * The status every code must answer with, written out here rather than read from the product's table, so
 * changing a status fails a test. `Record<ErrorCode, …>` makes a new code fail to typecheck until listed.
 */
const EXPECTED_STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  invalid_token: 400,
  invalid_members: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  refresh_token_reused: 401,
  csrf_rejected: 403,
  forbidden: 403,
  blocked: 403,
  not_found: 404,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_connections: 429,
  dependency_unavailable: 503,
  internal_error: 500,
};

describe('problemResponse', () => {
  it.each(ERROR_CODES)('renders %s as problem+json with its status, code and request id', async (code) => {
    const res = await throwing(new AppError(code, `message for ${code}`)).request('/fail');

    expect(res.status).toBe(EXPECTED_STATUS[code]);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await problemOf(res);
    expect(body).toMatchObject({ type: `/problems/${code}`, status: res.status, code });
    expect(body.title).toEqual(expect.any(String));
    expect(body.title).not.toBe('Error');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('carries the domain message as detail and validation details as errors', async () => {
    const details = [{ path: 'email', message: 'Email address is not valid' }];

    const res = await throwing(
      new AppError('validation_failed', 'Email address is not valid', { details }),
    ).request('/fail');

    expect(await problemOf(res)).toMatchObject({ detail: 'Email address is not valid', errors: details });
  });

  it('omits errors when there are no details', async () => {
    const res = await throwing(new AppError('not_found', 'No such session')).request('/fail');

    expect(await problemOf(res)).not.toHaveProperty('errors');
  });

  it('sets Retry-After when the error carries one', async () => {
    const res = await throwing(new AppError('rate_limited', 'slow down', { retryAfterSeconds: 42 })).request(
      '/fail',
    );

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('42');
  });

  it('answers a dead dependency with 503 and Retry-After: 1', async () => {
    const res = await throwing(
      dependencyUnavailable('redis', new Error('ECONNREFUSED 10.0.0.1:6379')),
    ).request('/fail');

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(JSON.stringify(await problemOf(res))).not.toContain('ECONNREFUSED');
  });

  it('sends no Retry-After when none is given', async () => {
    const res = await throwing(new AppError('forbidden', 'no')).request('/fail');

    expect(res.headers.has('retry-after')).toBe(false);
  });

  it.each(['unauthenticated', 'invalid_credentials', 'refresh_token_reused'] as const)(
    'sends WWW-Authenticate: Bearer on a 401 (%s)',
    async (code) => {
      const res = await throwing(new AppError(code, 'no')).request('/fail');

      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it('sends no WWW-Authenticate on a 403', async () => {
    const res = await throwing(new AppError('csrf_rejected', 'no')).request('/fail');

    expect(res.headers.has('www-authenticate')).toBe(false);
  });
});

describe('toAppError', () => {
  it('passes an AppError through unchanged', () => {
    const error = unauthenticated();

    expect(toAppError(error)).toBe(error);
  });

  it.each([
    [400, 'malformed_json'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
  ] as const)('maps a hono HTTPException %i to %s', (status, code) => {
    expect(toAppError(new HTTPException(status, { message: 'internal detail' })).code).toBe(code);
  });

  it('treats any other HTTPException as an internal error', () => {
    expect(toAppError(new HTTPException(418, { message: 'teapot' })).code).toBe('internal_error');
  });

  it('turns malformed JSON seen by hono’s validator into a 400 malformed_json', async () => {
    const app = tinyApp((a) => {
      a.post(
        '/json',
        validator('json', (value) => value),
        (c) => c.json({ ok: true }),
      );
    });

    const res = await app.request('/json', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });

    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'malformed_json' });
  });

  it.each([
    [
      'an Error',
      new Error('duplicate key value violates unique constraint "users_email_key" password=hunter2'),
    ],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'passwordHash')")],
  ])('hides %s as a 500 internal_error that echoes nothing', async (_label, error) => {
    const res = await throwing(error).request('/fail');

    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'internal_error', detail: 'Unexpected error' });
    for (const secret of ['hunter2', 'users_email_key', 'passwordHash', 'stack']) {
      expect(text).not.toContain(secret);
    }
  });

  it.each([
    ['a thrown string', 'postgres://admin:s3cret@db.internal:5432/app'],
    ['a thrown object', { message: 's3cret', stack: 'at secretFunction (/var/task/index.js:1:1)' }],
    ['undefined', undefined],
  ])('maps %s to a generic internal_error', (_label, thrown) => {
    const error = toAppError(thrown);

    expect(error).toMatchObject({ code: 'internal_error', message: 'Unexpected error' });
  });

  it('keeps the original error as the cause for logging', () => {
    const original = new Error('boom');

    expect(toAppError(original).cause).toBe(original);
  });
});
