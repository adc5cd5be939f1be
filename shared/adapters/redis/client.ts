import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  url: string;
  mode: 'standalone' | 'cluster';
  keyPrefix: string;
  commandTimeoutMs: number;
}

// ioredis defaults let a dead Redis hang a request for 70+ s (past API Gateway's 30 s): bound every wait,
// retry a command at most once, and reconnect with jitter so thawed Lambdas don't stampede.
const reconnectWithJitter = (attempt: number): number =>
  Math.min(1000, 50 * 2 ** attempt) + Math.random() * 100;

function baseOptions(url: URL, commandTimeoutMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1000,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Standalone Redis locally, cluster mode (ElastiCache/Valkey, usually TLS) when deployed. */
export function createRedis(options: RedisConnectionOptions): RedisClient {
  const url = new URL(options.url);
  const common = baseOptions(url, options.commandTimeoutMs);
  const host = url.hostname;
  const port = Number(url.port || 6379);
  let client: RedisClient;
  if (options.mode === 'cluster') {
    client = new Cluster([{ host, port }], {
      keyPrefix: options.keyPrefix,
      redisOptions: common,
      clusterRetryStrategy: reconnectWithJitter,
      enableAutoPipelining: true,
      // ElastiCache TLS certificates name the configuration endpoint, not the node IPs the cluster reports.
      dnsLookup: (address, callback) => callback(null, address),
      slotsRefreshTimeout: 2000,
    });
  } else {
    const db = Number(url.pathname.slice(1) || 0);
    client = new Redis({
      ...common,
      host,
      port,
      db,
      keyPrefix: options.keyPrefix,
      retryStrategy: reconnectWithJitter,
    });
  }
  // Without a listener ioredis logs every reconnect failure as an unhandled error event.
  client.on('error', () => {});
  return client;
}
