import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { publicJwksJson } from '../shared/adapters/crypto/public-jwks.js';
import { backfillUserDirectory } from '../shared/adapters/db/backfill-user-directory.js';
import { createDatabase } from '../shared/adapters/db/client.js';
import { runMigrations } from '../shared/adapters/db/migrate.js';
import { createRedis } from '../shared/adapters/redis/client.js';
import { loadEnv } from '../shared/config/env.js';
import { localApiDocs } from './api-docs.js';
import { exportDevCredentials, generateDevCredentials } from './dev-credentials.js';
import { ensureDevSecrets } from './dev-secrets.js';
import { type HttpLambdaHandler, startHttpGateway } from './http-gateway.js';
import { enableConcurrentInvocations } from './invocation-scope.js';
import { createMailOutbox, withDevMail } from './mail-outbox.js';
import { resolvePostgres } from './resolve-postgres.js';
import { resolveRedis } from './resolve-redis.js';
import { startSesApi } from './ses-api.js';
import { localWsUrl, withWebClient } from './static-site.js';
import { startWsGateway, type WsLambdaHandler } from './ws-gateway.js';

// `npm start`: the whole system on this machine with embedded defaults (DESIGN.md §1), same handler code as AWS.
const env = process.env;
if (existsSync('.env')) process.loadEnvFile('.env');
env.NODE_ENV ??= 'development';
// Lambda runs one request per environment; this one process runs them all, so it needs a real pool
// (with max 1, concurrent requests queue for the connection and time out as spurious 503s).
env.DATABASE_POOL_MAX ??= '10';
const dataDir = resolve(env.DATA_DIR ?? '.data');
const host = env.HOST ?? '127.0.0.1';
const port = Number(env.PORT ?? 3000);
const wsPort = Number(env.WS_PORT ?? 3001);
const stage = 'local';
// The handlers push through the unmodified AWS SDK, which signs with the default credential chain (env
// first): give it this run's random dev key, the only one the emulator's management API accepts, so
// nobody else who can reach WS_PORT (HOST=0.0.0.0) can push frames or close sockets.
env.WS_MANAGEMENT_ENDPOINT ??= `http://${host}:${wsPort}/${stage}`;
env.AWS_REGION ??= 'us-east-1';
const managementCredentials = generateDevCredentials();
exportDevCredentials(env, managementCredentials);
// The browser client is served from the HTTP API's origin (same site), so that origin may open sockets.
env.ALLOWED_ORIGINS ??= `http://127.0.0.1:${port},http://localhost:${port}`;

const postgres = await resolvePostgres(env, dataDir);
const redis = await resolveRedis(env).catch(async (error: Error) => {
  await postgres.stop();
  console.error(error.message);
  process.exit(1);
});
env.DATABASE_URL = postgres.url;
env.REDIS_URL = redis.url;
const { generated } = await ensureDevSecrets(env, dataDir);
// The WebSocket functions verify with public keys only (as deployed, where `$connect` links JwtVerifyKeys).
env.JWT_PUBLIC_KEYS ??= publicJwksJson(env.JWT_SIGNING_KEY ?? '', env.JWT_PREVIOUS_PUBLIC_KEYS);

const config = loadEnv(env);
const migrator = createDatabase({
  url: config.DATABASE_URL,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 60_000,
});
const directoryWriter = createRedis({
  url: config.REDIS_URL,
  mode: config.REDIS_MODE,
  keyPrefix: config.REDIS_KEY_PREFIX,
  commandTimeoutMs: 5000,
});
try {
  await runMigrations(migrator.db);
  // The realtime path reads users from Redis: mirror the ones Postgres already has (after a Redis restart too).
  await backfillUserDirectory(migrator.db, directoryWriter);
} finally {
  await Promise.allSettled([migrator.pool.end(), directoryWriter.quit()]);
}

// Mail is captured, never sent: a local SES v2 SendEmail that checks this run's dev key, shown at /_dev/mail.
const outbox = createMailOutbox();
const ses = await startSesApi({ credentials: [managementCredentials], region: env.AWS_REGION, outbox });
env.SES_ENDPOINT = ses.endpoint;

// The metrics' stage dimension; each concurrent invocation gets its own log keys (invocation-scope.ts).
env.STAGE ??= stage;
await enableConcurrentInvocations(env);

// Imported only now, so the handler module reads the environment assembled above (as Lambda would).
const { handler } = await import('../functions/http.js');
const [connect, disconnect, message] = await Promise.all([
  import('../functions/ws/connect.js'),
  import('../functions/ws/disconnect.js'),
  import('../functions/ws/message.js'),
]);
// /docs exists only here (deployed functions serve just /openapi.json), from pinned local files.
const docs = await localApiDocs(withDevMail(handler as unknown as HttpLambdaHandler, outbox));
// The browser client (web/, built when stale) is served by the same HTTP front, so it is same-origin.
const web = await withWebClient(
  docs.handler,
  resolve(import.meta.dirname, '../web'),
  localWsUrl(host, wsPort),
);
const http = await startHttpGateway({ handler: web.handler, port, host });
const asWs = (route: { handler: unknown }) => route.handler as WsLambdaHandler;
const ws = await startWsGateway({
  routes: { $connect: asWs(connect), $disconnect: asWs(disconnect), $default: asWs(message) },
  port: wsPort,
  host,
  stage,
  credentials: [managementCredentials],
  region: env.AWS_REGION,
  idleTimeoutMs: env.WS_IDLE_TIMEOUT_MS ? Number(env.WS_IDLE_TIMEOUT_MS) : undefined,
});

console.log(`
  Web client ${http.url}   (${web.note})
  HTTP API   ${http.url}
  API docs   ${http.url}/docs   (${docs.note})
  Mail       ${http.url}/_dev/mail/view   (captured, never sent; SES endpoint ${ses.endpoint})
  WebSocket  ${ws.url}   (management API ${ws.managementEndpoint})
  Postgres   ${postgres.description}
  Redis      ${redis.description}${generated.length ? `\n  Dev keys   ${generated.join(', ')} from ${dataDir}` : ''}

  Ctrl-C stops everything npm start started.
`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([http.close(), ws.close(), ses.close()]);
  await Promise.allSettled([redis.stop(), postgres.stop()]);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
