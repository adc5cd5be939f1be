import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, readJson } from '../support/e2e-http.js';

/** Every HTTP route of the auth issue, as `METHOD path` in OpenAPI path syntax. */
const AUTH_ROUTES = [
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /auth/logout-all',
  'GET /auth/sessions',
  'DELETE /auth/sessions/{id}',
  'GET /me',
  'GET /.well-known/jwks.json',
  'GET /health',
  'GET /ready',
];

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const OpenApiSchema = z.object({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

describe('system endpoints', () => {
  it('GET /health answers 200 ok', async () => {
    const res = await call('/health');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 with Postgres and Redis up', async () => {
    const res = await call('/ready');

    expect(res.status).toBe(200);
    const body = await readJson(
      res,
      z.object({ status: z.string(), checks: z.record(z.string(), z.string()) }),
    );
    expect(body.status).toBe('ok');
    // Named checks, each ok: an empty `checks` would make "every check is ok" true while checking nothing.
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['postgres', 'redis']));
    for (const [name, state] of Object.entries(body.checks)) expect(state, name).toBe('ok');
  });

  it('GET /openapi.json documents every auth route', async () => {
    const res = await call('/openapi.json');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
    const doc = await readJson(res, OpenApiSchema);
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(expect.arrayContaining(AUTH_ROUTES));
  });

  it('GET /docs is absent (deployed functions) or a page running only same-origin scripts under a strict CSP', async () => {
    const res = await call('/docs');

    // Deployed stages serve no docs UI at all; the local emulator serves pinned assets from its own origin.
    if (res.status === 404) return;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(https?:|\*|'unsafe-inline')/);
    const sources = [...(await res.text()).matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src).toMatch(/^\/(?!\/)/);
  });

  it('GET /.well-known/jwks.json publishes public keys only, cacheable', async () => {
    const res = await call('/.well-known/jwks.json');

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/public/);
    const { keys } = await readJson(res, JwksSchema);
    for (const key of keys) {
      expect(key).toMatchObject({ kid: expect.any(String), kty: expect.stringMatching(/^(OKP|EC)$/) });
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
    }
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
  });
});
