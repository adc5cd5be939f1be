import { PROXY_POOL } from './capacity';
import { createDurableRedis } from './durable-redis';
import { isProductionStage } from './stage';

/**
 * Postgres (users) and Redis (sessions, connections, chats). Under `sst dev` neither is created: the `dev`
 * props link the functions to the local services of docker-compose.yml instead, and there is no VPC (`vpc`
 * undefined): the components return before reading their placement, so an empty one stands in.
 */
export async function createStorage(vpc: sst.aws.Vpc | undefined) {
  const isProduction = isProductionStage();
  if (isProduction) {
    // SST's Postgres exposes no transform for the proxy's target group, which holds the pool settings.
    $transform(aws.rds.ProxyDefaultTargetGroup, (args) => {
      args.connectionPoolConfig = {
        maxConnectionsPercent: PROXY_POOL.maxConnectionsPercent,
        maxIdleConnectionsPercent: PROXY_POOL.maxIdleConnectionsPercent,
        connectionBorrowTimeout: PROXY_POOL.borrowTimeoutSeconds,
      };
    });
  }
  const db = new sst.aws.Postgres('Db', {
    vpc: vpc ?? { subnets: [] },
    // The major of docker-compose.yml's postgres:16, so `sst dev` and deployed stages run the same engine.
    version: '16',
    database: 'chat',
    // RDS Proxy (~$22/month) pools connections across Lambda environments and rides out failovers.
    proxy: isProduction,
    multiAz: isProduction,
    dev: { host: 'localhost', port: 5432, username: 'postgres', password: '', database: 'chat_dev' },
  });
  if (isProduction && vpc && !$dev) {
    const durable = await createDurableRedis(vpc);
    const redisEngine = { kind: 'memorydb', cluster: durable.cluster } as const;
    return { db, redis: durable.link, redisHost: durable.host, redisEngine };
  }
  const redis = new sst.aws.Redis('Redis', {
    vpc: vpc ?? { subnets: [], securityGroups: [] },
    engine: 'valkey',
    // SST's default for valkey, pinned: docker-compose.yml runs valkey/valkey 7.2 to match.
    version: '7.2',
    // One small node: losing it loses this stage's sessions and chats (fine outside production, README).
    // Cluster mode (one shard) with TLS and an AUTH token: the adapter connects with REDIS_MODE=cluster, rediss://.
    cluster: { nodes: 1 },
    // Sessions, connection records and messages are data, not cache: fail writes rather than evict silently.
    parameters: { 'maxmemory-policy': 'noeviction' },
    dev: { host: 'localhost', port: 6379 },
  });
  return { db, redis, redisHost: redis.host, redisEngine: { kind: 'elasticache', cluster: redis } as const };
}
