import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../shared/http/create-app.js';
import { send, startApp, type TestApp } from '../support/auth-helpers.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: {
    securitySchemes?: Record<string, { type: string; in?: string; name?: string; scheme?: string }>;
  };
}

describe('system routes', () => {
  let t: TestApp & { stop(): Promise<void> };

  beforeAll(async () => {
    t = await startApp();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('GET /health answers 200 {status: "ok"}, uncached', async () => {
    const res = await send(t.app, '/health');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('GET /ready answers 200 when Postgres and Redis answer', async () => {
    const res = await send(t.app, '/ready');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('GET /openapi.json documents every auth route, its problem responses and both credentials', async () => {
    const res = await send(t.app, '/openapi.json');

    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'POST /auth/login',
        'POST /auth/refresh',
        'POST /auth/logout',
        'POST /auth/logout-all',
        'GET /auth/sessions',
        'DELETE /auth/sessions/{id}',
        'GET /me',
        'GET /health',
        'GET /ready',
        'GET /.well-known/jwks.json',
      ]),
    );
    expect(Object.keys(doc.paths['/auth/login']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '413', '415', '429', '503']),
    );
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components?.securitySchemes?.cookie).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-access',
    });
    expect(JSON.stringify(doc)).not.toContain(t.env.PASSWORD_PEPPER);
  });

  it('serves no /docs page: no third-party script ever runs on the API origin', async () => {
    const res = await send(t.app, '/docs');

    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await send(t.app, '/openapi.json')).status).toBe(200);
  });

  it('serves no /_dev/mail: captured mail exists only under npm start, never in a deployed function', async () => {
    for (const path of ['/_dev/mail', '/_dev/mail/view']) {
      const res = await send(t.app, path, { headers: { accept: 'text/html' } });

      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('sends no HSTS outside deployed stages (NODE_ENV=test here)', async () => {
    const res = await send(t.app, '/health');

    expect(t.deps.http.hsts).toBe(false);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('HSTS on deployed stages', () => {
  let t: TestApp & { stop(): Promise<void> };

  beforeAll(async () => {
    t = await startApp({ NODE_ENV: 'production', COOKIE_SECURE: 'true' });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    ['a success', () => send(t.app, '/health'), 200],
    ['a 401 problem', () => send(t.app, '/me'), 401],
    ['a 404 problem', () => send(t.app, '/nowhere'), 404],
    ['a 400 problem', () => send(t.app, '/auth/login', jsonPost({ email: 1 })), 400],
    ['a CORS preflight', () => send(t.app, '/auth/login', { method: 'OPTIONS' }), 204],
  ])('sends Strict-Transport-Security on %s', async (_label, request, status) => {
    const res = await request();

    expect(res.status).toBe(status);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('sends it on a 500 from an unexpected failure too', async () => {
    const failing = createApp({
      ...t.deps,
      users: { ...t.deps.users, findByEmail: () => Promise.reject(new TypeError('boom')) },
      logError: () => {},
    });

    const res = await send(
      failing,
      '/auth/login',
      jsonPost({ email: randomEmail(), password: 'correct horse battery staple' }),
    );

    expect(res.status).toBe(500);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('is off when cookies are not Secure (a plain-HTTP production-mode run)', async () => {
    const plain = await startApp({ NODE_ENV: 'production', COOKIE_SECURE: 'false' });
    try {
      expect((await send(plain.app, '/health')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});
