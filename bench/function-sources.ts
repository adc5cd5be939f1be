/**
 * What figures 4–5 build: the deployed functions, and for each the floor it is judged against — a bundle of
 * exactly the libraries that function must call, each imported and instantiated the way the function does at
 * module scope (clients created, nothing connected on purpose), with the management API client behind the
 * same dynamic import() as in shared/adapters/apigw/push-gateway.ts.
 */
import { FUNCTIONS } from '../stacks/function-specs.js';

export const FUNCTION_NAMES = ['http', 'ws-connect', 'ws-message', 'ws-disconnect', 'migrate'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

const SPEC_OF = {
  http: 'http',
  'ws-connect': 'wsConnect',
  'ws-message': 'wsMessage',
  'ws-disconnect': 'wsDisconnect',
  migrate: 'migrate',
} as const satisfies Record<FunctionName, keyof typeof FUNCTIONS>;

/** The Lambda entry points SST deploys, from the handlers in stacks/function-specs.ts. */
export const ENTRIES = Object.fromEntries(
  FUNCTION_NAMES.map((name) => {
    const { handler } = FUNCTIONS[SPEC_OF[name]];
    return [name, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`];
  }),
) as Record<FunctionName, string>;

/** SST `nodejs.splitting` per function, as stacks/api.ts and stacks/realtime.ts set it. */
export const SPLITTING_AS_DEPLOYED: Record<FunctionName, boolean> = {
  http: true,
  'ws-connect': true,
  'ws-message': true,
  'ws-disconnect': true,
  // Nothing to split: no dynamic import.
  migrate: false,
};

/** The functions that push, hence bundle the management API client (always behind import()). */
export const PUSHING: readonly FunctionName[] = ['http', 'ws-connect', 'ws-message', 'ws-disconnect'];

const SST_LINKS = `import { Resource } from 'sst';
export const links = Resource;`;

// The zod/mini features the env schemas use (defaults, enums, coercion, refinements, pipes, URLs).
const ENV = `import * as z from 'zod/mini';
const parsed = z.safeParse(
  z.object({
    REDIS_URL: z.url(),
    LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
    LIMIT: z._default(z.coerce.number().check(z.refine(Number.isInteger), z.minimum(1)), 30),
    ORIGINS: z.pipe(z._default(z.string(), ''), z.transform((value) => value.split(','))),
  }),
  process.env,
);
if (!parsed.success) throw new Error('Invalid configuration');
export const env = parsed.data;`;

const REDIS = `import { Redis } from 'ioredis';
export const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
redis.on('error', () => {});`;

const LOGGER = `import { Logger } from '@aws-lambda-powertools/logger';
export const logger = new Logger({ serviceName: 'floor', logLevel: 'SILENT' });`;

// Issue 11's business metrics (EMF): every API function flushes them once per invocation.
const METRICS = `import { Metrics } from '@aws-lambda-powertools/metrics';
export const metrics = new Metrics({ namespace: 'floor', serviceName: 'floor' });`;

const PUSH = `export const push = async () => {
  const { ApiGatewayManagementApiClient } = await import('@aws-sdk/client-apigatewaymanagementapi');
  return new ApiGatewayManagementApiClient({ endpoint: process.env.WS_MANAGEMENT_ENDPOINT, region: 'us-east-1' });
};`;

const JOSE = `import { importJWK, jwtVerify } from 'jose';
export const verify = [importJWK, jwtVerify];`;

const POSTGRES = `import pg from 'pg';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
export const users = pgTable('users', { id: uuid('id').primaryKey(), email: text('email').notNull() });
export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
export const db = drizzle(pool, { schema: { users } });
export const ping = () => db.execute(sql\`select 1\`);`;

const HONO_OPENAPI = `import { OpenAPIHono, createRoute, z as zo } from '@hono/zod-openapi';
import { handle } from 'hono/aws-lambda';
const app = new OpenAPIHono();
const route = createRoute({
  method: 'get',
  path: '/',
  responses: { 200: { description: 'ok', content: { 'application/json': { schema: zo.object({ ok: zo.boolean() }) } } } },
});
app.openapi(route, (c) => c.json({ ok: true }, 200));
export const handler = handle(app);`;

const BCRYPT = `import bcrypt from 'bcryptjs';
export const compare = bcrypt.compare;`;

const WS_HANDLER = 'export const handler = async () => ({ statusCode: 200 });';

/** Floors keyed by library set: ws-message and ws-disconnect need the same libraries, so they share one. */
export const FLOORS = {
  http: [SST_LINKS, ENV, REDIS, LOGGER, METRICS, PUSH, JOSE, POSTGRES, BCRYPT, HONO_OPENAPI],
  'ws-connect': [SST_LINKS, ENV, REDIS, LOGGER, METRICS, PUSH, JOSE, WS_HANDLER],
  ws: [SST_LINKS, ENV, REDIS, LOGGER, METRICS, PUSH, WS_HANDLER],
  migrate: [
    SST_LINKS,
    ENV,
    REDIS,
    POSTGRES,
    `import { migrate } from 'drizzle-orm/node-postgres/migrator';
export const handler = () => migrate(db, { migrationsFolder: 'migrations' });`,
  ],
} as const;

export type FloorName = keyof typeof FLOORS;

export const FLOOR_OF: Record<FunctionName, FloorName> = {
  http: 'http',
  'ws-connect': 'ws-connect',
  'ws-message': 'ws',
  'ws-disconnect': 'ws',
  migrate: 'migrate',
};

export const FLOOR_LIBRARIES: Record<FloorName, string> = {
  http: 'hono + @hono/zod-openapi, pg + drizzle, bcryptjs, jose, ioredis, Logger, Metrics, zod/mini, sst, mgmt API (lazy)',
  'ws-connect': 'ioredis, jose, Logger, Metrics, zod/mini, sst, mgmt API (lazy)',
  ws: 'ioredis, Logger, Metrics, zod/mini, sst, mgmt API (lazy)',
  migrate: 'pg + drizzle (migrator), ioredis, zod/mini, sst',
};

/** Imports are hoisted in ESM, so the parts can simply be concatenated. */
export const floorSource = (name: FloorName): string => FLOORS[name].join('\n');

export const HELLO_WORLD = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
export const handler = handle(new Hono().get('/', (c) => c.text('ok')));`;

/** The SDK-slimming references: eager imports, as in its ≈ 81 ms (212 KB) and ≈ 178 ms (645 KB). */
export const REDIS_JOSE = `export { Redis } from 'ioredis';
export * as jose from 'jose';`;
export const REDIS_JOSE_SDK = `${REDIS_JOSE}
export { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';`;
