import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startApp, type TestApp } from '../support/auth-helpers.js';

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

  it('GET /docs serves the API reference page for /openapi.json', async () => {
    const res = await send(t.app, '/docs');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('/openapi.json');
  });
});
