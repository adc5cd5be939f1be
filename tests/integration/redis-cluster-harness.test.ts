import { connect } from 'node:net';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.js';

const BUS_PORT_OFFSET = 10_000;

describe('redis cluster test harness', () => {
  let cluster: RedisClusterHandle | undefined;
  let client: Cluster | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = createClusterClient(cluster.nodes);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  function getClient(): Cluster {
    if (!client) throw new Error('cluster client not started');
    return client;
  }

  it('accepts writes through the cluster client', async () => {
    await expect(getClient().set('{a}x', '1')).resolves.toBe('OK');
    await expect(getClient().get('{a}x')).resolves.toBe('1');
  });

  it('spreads keys over the slots of all three masters', async () => {
    const redis = getClient();
    const keys = Array.from({ length: 30 }, (_, i) => `{tag${i}}key`);
    await Promise.all(keys.map((key) => redis.set(key, key)));
    await expect(Promise.all(keys.map((key) => redis.get(key)))).resolves.toEqual(keys);

    const masters = redis.nodes('master');
    expect(masters).toHaveLength(3);
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    for (const size of sizes) expect(size).toBeGreaterThan(0);
  });

  it('rejects a MULTI whose hash tags map to different slots with CROSSSLOT', async () => {
    const redis = getClient();
    // Tags on different nodes are rejected by ioredis before sending, so only a same-node pair
    // proves the server itself enforces the single-slot rule on transactions.
    const [tagA, tagB] = await findTagsOnSameNodeInDifferentSlots(redis);
    const multi = redis.multi().set(`{${tagA}}m`, '1').set(`{${tagB}}m`, '2');
    await expect(multi.exec()).rejects.toThrow(/CROSSSLOT/);
    // The aborted transaction must not have applied either write.
    await expect(redis.exists(`{${tagA}}m`)).resolves.toBe(0);
    await expect(redis.exists(`{${tagB}}m`)).resolves.toBe(0);
  });

  it('commits a MULTI whose keys share one hash tag', async () => {
    const redis = getClient();
    const result = await redis.multi().set('{same}a', '1').incr('{same}counter').exec();
    expect(result).toEqual([
      [null, 'OK'],
      [null, 1],
    ]);
    await expect(redis.mget('{same}a', '{same}counter')).resolves.toEqual(['1', '1']);
  });

  it('stop() closes every client and cluster bus port', async () => {
    if (!cluster) throw new Error('cluster not started');
    const ports = cluster.nodes.flatMap(({ port }) => [port, port + BUS_PORT_OFFSET]);
    getClient().disconnect();
    await cluster.stop();
    const open = await Promise.all(ports.map(isPortOpen));
    expect(open).toEqual(ports.map(() => false));
  });
});

async function findTagsOnSameNodeInDifferentSlots(redis: Cluster): Promise<[string, string]> {
  const seen = new Map<string, { tag: string; slot: number }>();
  for (const tag of 'abcdefghijklmnopqrstuvwxyz') {
    const slot = await redis.cluster('KEYSLOT', tag);
    const owner = redis.slots[slot]?.[0];
    if (owner === undefined) continue;
    const previous = seen.get(owner);
    if (previous && previous.slot !== slot) return [previous.tag, tag];
    seen.set(owner, { tag, slot });
  }
  throw new Error('no two hash tags found on the same node (cluster has fewer than 3 masters?)');
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
