import { type Cluster, Redis } from 'ioredis';
import { createRedis, type RedisClient } from '../../shared/adapters/redis/client.js';
import { removeRedisKeys } from './auth-helpers.js';
import { createClusterClient, type RedisClusterHandle, startRedisCluster } from './redis-cluster.js';

export type RedisMode = 'standalone' | 'cluster';

export const REDIS_MODES: RedisMode[] = ['standalone', 'cluster'];

const STANDALONE_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/**
 * A Redis to run adapters against: the machine's standalone server, or a throwaway three-master
 * cluster. `connect` builds clients exactly as production does (`createRedis`); `inspector` is an
 * unprefixed client for looking at raw keys.
 */
export interface RedisTarget {
  mode: RedisMode;
  /** Adapter client for a key prefix, built by the production factory. */
  connect(keyPrefix: string): RedisClient;
  inspector: Redis | Cluster;
  /** Every key under `prefix`, across all masters. */
  keys(prefix: string): Promise<string[]>;
  /** Cluster hash slot of a raw key (cluster mode only). */
  slotOf(key: string): Promise<number>;
  /** Removes this run's keys and closes every client (and the cluster). */
  close(): Promise<void>;
}

export async function openRedisTarget(mode: RedisMode): Promise<RedisTarget> {
  const clients: RedisClient[] = [];
  const prefixes: string[] = [];
  let cluster: RedisClusterHandle | undefined;
  let url = STANDALONE_URL;
  let inspector: Redis | Cluster;
  if (mode === 'cluster') {
    cluster = await startRedisCluster();
    const [first] = cluster.nodes;
    if (!first) throw new Error('cluster has no nodes');
    url = `redis://${first.host}:${first.port}`;
    inspector = createClusterClient(cluster.nodes);
  } else {
    inspector = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  }
  inspector.on('error', () => {});

  const scanNode = async (node: Redis, prefix: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  };

  return {
    mode,
    inspector,
    connect(keyPrefix) {
      if (!keyPrefix.startsWith('test:')) throw new Error('test clients must use a test: prefix');
      const client = createRedis({ url, mode, keyPrefix, commandTimeoutMs: 2_000 });
      clients.push(client);
      prefixes.push(keyPrefix);
      return client;
    },
    async keys(prefix) {
      const nodes =
        'nodes' in inspector && mode === 'cluster' ? inspector.nodes('master') : [inspector as Redis];
      return (await Promise.all(nodes.map((node) => scanNode(node, prefix)))).flat().sort();
    },
    async slotOf(key) {
      if (mode !== 'cluster') throw new Error('hash slots exist only in cluster mode');
      return Number(await inspector.cluster('KEYSLOT', key));
    },
    async close() {
      if (mode === 'standalone') {
        await Promise.all(prefixes.map((prefix) => removeRedisKeys(url, prefix)));
      }
      for (const client of clients) client.disconnect();
      inspector.disconnect();
      await cluster?.stop();
    },
  };
}
