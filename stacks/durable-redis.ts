/** What functions/resource-env.ts reads from the `Redis` link, whichever engine stands behind it. */
export interface RedisLinkProperties {
  host: $util.Output<string>;
  port: $util.Output<number>;
  username: string;
  password: $util.Output<string>;
}

/** MemoryDB names: lowercase letters, digits and hyphens, at most 40 characters. */
const physicalName = (suffix: string): string =>
  `${$app.name}-${$app.stage}-${suffix}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);

/** One shard (2 nodes); the figures behind the choice are in README, "Running in production". */
export const DURABLE_REDIS = {
  nodeType: 'db.t4g.small',
  shards: 1,
  replicasPerShard: 1,
  snapshotRetentionDays: 7,
} as const;

/**
 * Production's Redis: Amazon MemoryDB (Valkey 7.2, the engine docker-compose and the other stages run). A write
 * is acknowledged only once it is in MemoryDB's Multi-AZ transaction log, so an acked message or session
 * survives the loss of any node or AZ, with no change to the store code (no WAIT, which is keyless and so
 * lands on an arbitrary node of an ioredis Cluster, and is refused inside scripts). Like ElastiCache from SST
 * it is cluster mode + TLS + a password (an ACL user here), so the same `Redis` link and client config apply.
 * SST has no MemoryDB component: these are the Pulumi AWS provider's resources.
 */
export async function createDurableRedis(vpc: sst.aws.Vpc) {
  // Lazily, like stacks/secrets.ts: `sst install` evaluates sst.config.ts before @pulumi/random exists.
  const { RandomPassword } = await import('@pulumi/random');
  // MemoryDB passwords: 16-128 printable characters; alphanumeric keeps the rediss:// URL simple.
  const password = new RandomPassword('RedisPassword', { length: 40, special: false }).result;
  const username = physicalName('app');
  const user = new aws.memorydb.User('RedisUser', {
    userName: username,
    // Every key and command the stores use (Lua, streams, pipelines), no admin commands (MemoryDB manages those).
    accessString: 'on ~* &* +@all',
    authenticationMode: { type: 'password', passwords: [password] },
  });
  const acl = new aws.memorydb.Acl('RedisAcl', { name: physicalName('acl'), userNames: [user.userName] });
  const subnetGroup = new aws.memorydb.SubnetGroup('RedisSubnetGroup', {
    name: physicalName('subnets'),
    subnetIds: vpc.privateSubnets,
  });
  const cluster = new aws.memorydb.Cluster('RedisCluster', {
    name: physicalName('redis'),
    engine: 'valkey',
    engineVersion: '7.2',
    nodeType: DURABLE_REDIS.nodeType,
    numShards: DURABLE_REDIS.shards,
    // A replica per shard in another AZ: MemoryDB fails over to it automatically (Multi-AZ is built in).
    numReplicasPerShard: DURABLE_REDIS.replicasPerShard,
    aclName: acl.name,
    tlsEnabled: true,
    subnetGroupName: subnetGroup.name,
    securityGroupIds: vpc.securityGroups,
    // Daily snapshots to S3 on top of the transaction log: a restore point against bad writes, not node loss.
    snapshotRetentionLimit: DURABLE_REDIS.snapshotRetentionDays,
    snapshotWindow: '04:00-05:00',
    maintenanceWindow: 'sun:05:30-sun:06:30',
    autoMinorVersionUpgrade: true,
  });
  const endpoint = cluster.clusterEndpoints.apply((endpoints) => {
    const first = endpoints[0];
    if (!first) throw new Error('MemoryDB cluster has no cluster endpoint');
    return first;
  });
  const properties: RedisLinkProperties = {
    host: endpoint.address,
    port: endpoint.port,
    username,
    password,
  };
  return { cluster, host: properties.host, link: new sst.Linkable('Redis', { properties }) };
}
