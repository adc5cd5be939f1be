import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { jsonContent } from '../schemas.js';

const READY_TIMEOUT_MS = 1500;

const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  summary: 'Liveness',
  security: [],
  tags: ['system'],
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'Process is alive') },
});

const ReadySchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'down'])),
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  operationId: 'getReadiness',
  summary: 'Readiness of Postgres and Redis',
  security: [],
  tags: ['system'],
  responses: {
    200: jsonContent(ReadySchema, 'Postgres and Redis answer'),
    503: jsonContent(ReadySchema, 'A dependency is down'),
  },
});

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  summary: 'Public signing keys (JWKS)',
  security: [],
  tags: ['system'],
  responses: {
    200: jsonContent(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'Public signing keys'),
  },
});

const withTimeout = (check: () => Promise<void>): Promise<void> =>
  Promise.race([
    check(),
    new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref(),
    ),
  ]);

/** Liveness, readiness (each dependency bounded in time) and the JWKS. */
export function systemRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(ready, async (c) => {
    const names = Object.keys(deps.readiness);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(deps.readiness[name] ?? (async () => {}))),
    );
    const checks = Object.fromEntries(
      names.map((name, i) => [name, results[i]?.status === 'fulfilled' ? 'ok' : 'down'] as const),
    );
    const healthy = Object.values(checks).every((state) => state === 'ok');
    if (!healthy) c.header('retry-after', '1');
    return healthy
      ? c.json({ status: 'ok' as const, checks }, 200)
      : c.json({ status: 'unavailable' as const, checks }, 503);
  });

  app.openapi(jwks, (c) => {
    // Verifiers may cache briefly; rotation keeps the previous key published for at least this long.
    c.header('cache-control', 'public, max-age=300');
    return c.json({ keys: deps.publicJwks as Record<string, unknown>[] }, 200);
  });

  return app;
}
