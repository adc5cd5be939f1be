import { Resource } from 'sst';
import { type Env, loadEnv } from '../shared/config/env.js';
import { loadMigrateEnv, type MigrateEnv } from '../shared/config/migrate-env.js';
import { loadRealtimeEnv, type RealtimeEnv } from '../shared/config/realtime-env.js';

/** The SST links the handlers read (types in sst-env.d.ts); every function links a subset. */
export type LinkedResources = Partial<
  Pick<Resource, 'App' | 'Api' | 'Db' | 'Redis' | 'Ws' | 'Web' | 'OriginVerify' | 'Mail' | SecretName>
>;
type SecretName = 'JwtSigningKey' | 'JwtPreviousPublicKeys' | 'PasswordPepper' | 'JwtVerifyKeys';

// `sst dev` links the docker-compose services through the `dev` props; any other host is AWS.
const isLocal = (host: string): boolean => host === 'localhost' || host === '127.0.0.1';
const enc = encodeURIComponent;

// RDS presents an Amazon RDS CA certificate: verify it (the stack sets NODE_EXTRA_CA_CERTS to the runtime's bundle).
const postgresUrl = ({ username, password, host, port, database }: Resource['Db']): string =>
  `postgres://${enc(username)}:${enc(password)}@${host}:${port}/${enc(database)}` +
  (isLocal(host) ? '' : '?sslmode=verify-full');

// ElastiCache from SST is always cluster mode + in-transit encryption + an AUTH token, and so is production's
// MemoryDB (an ACL user and password, stacks/durable-redis.ts); local Redis is plain.
function redisEnv({ username, password, host, port }: Resource['Redis']): Record<string, string> {
  const auth = password ? `${enc(username)}:${enc(password)}@` : '';
  return isLocal(host)
    ? { REDIS_URL: `redis://${auth}${host}:${port}`, REDIS_MODE: 'standalone' }
    : { REDIS_URL: `rediss://${auth}${host}:${port}`, REDIS_MODE: 'cluster' };
}

/**
 * Maps the linked SST resources to the plain keys shared/config/env.ts reads. Empty when no SST links are
 * active (`npm start`, tests): those keep their own environment, untouched.
 */
export function linkedEnv(resources: LinkedResources = Resource): Record<string, string> {
  if (!('App' in resources)) return {};
  // `Resource.X` throws when X is not linked to this function, so ask first.
  const get = <K extends keyof LinkedResources>(key: K): LinkedResources[K] =>
    key in resources ? resources[key] : undefined;
  const [app, db, redis, ws, originVerify, mail] = [
    get('App'),
    get('Db'),
    get('Redis'),
    get('Ws'),
    get('OriginVerify'),
    get('Mail'),
  ];
  const [signingKey, previousKeys, pepper, verifyKeys] = [
    get('JwtSigningKey'),
    get('JwtPreviousPublicKeys'),
    get('PasswordPepper'),
    get('JwtVerifyKeys'),
  ];
  const origins = [get('Web')?.url, get('Api')?.url].flatMap((url) => (url ? [new URL(url).origin] : []));
  return {
    // The metrics' `stage` dimension (shared/adapters/metrics/emf-metrics.ts).
    ...(app && { STAGE: app.stage }),
    ...(db && { DATABASE_URL: postgresUrl(db) }),
    ...(redis && redisEnv(redis)),
    ...(signingKey && { JWT_SIGNING_KEY: signingKey.value }),
    ...(previousKeys && { JWT_PREVIOUS_PUBLIC_KEYS: previousKeys.value }),
    ...(pepper && { PASSWORD_PEPPER: pepper.value }),
    ...(verifyKeys && { JWT_PUBLIC_KEYS: verifyKeys.keys }),
    ...(ws && { WS_MANAGEMENT_ENDPOINT: ws.managementEndpoint }),
    ...(origins.length > 0 && { ALLOWED_ORIGINS: origins.join(',') }),
    ...(originVerify && { ORIGIN_VERIFY_SECRET: originVerify.secret }),
    ...(mail && { MAIL_FROM: mail.sender }),
  };
}

/** Each function family's env schema over the process environment plus the linked resources, which win. */
export const loadLinkedEnv = (): Env => loadEnv({ ...process.env, ...linkedEnv() });
export const loadLinkedRealtimeEnv = (): RealtimeEnv => loadRealtimeEnv({ ...process.env, ...linkedEnv() });
export const loadLinkedMigrateEnv = (): MigrateEnv => loadMigrateEnv({ ...process.env, ...linkedEnv() });
