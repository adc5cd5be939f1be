import { ALARMS, APP_METRICS } from '../../stacks/alarm-specs.js';
import { FUNCTIONS } from '../../stacks/function-specs.js';

/**
 * Everything the model assumes rather than measures. The bench measures work per operation on one machine;
 * these say how often users cause each operation, what AWS adds that a laptop cannot show, and what the
 * production stage deploys. Each figure is a stated guess with its reason: change one and re-run.
 */

/** The workload the issue names: 100 k daily users, 20 messages each, 10 k peak sockets. */
export interface Workload {
  dailyActiveUsers: number;
  /** For per-MAU products (Cognito, Clerk): daily users are 40 % of monthly ones. */
  monthlyActiveUsers: number;
  messagesPerUserPerDay: number;
  peakSockets: number;
  /** Time with the chat open. 60 min/day gives 4,167 sockets on average, so the 10 k peak is 2.4× that. */
  socketMinutesPerUserPerDay: number;
  /** Separate connections a day (tabs, devices, reconnects after the 10 min idle and 2 h caps). */
  connectionsPerUserPerDay: number;
  /** HTTP calls per connection: a WebSocket ticket, then the contacts and one history page to resync. */
  httpCallsPerConnection: number;
  /** Other small authenticated reads a day (`/me`, people search, older history pages). */
  otherReadsPerUserPerDay: number;
  /** Logins are rare: the refresh cookie lasts 30 days; new devices and expired sessions log in. */
  loginsPerUserPerDay: number;
  signUpsPerUserPerDay: number;
  passwordResetsPerUserPerDay: number;
  /** Access tokens last 15 min, so an open client refreshes 4 times an hour. */
  accessTokenMinutes: number;
  /** Read ratio: a `typing` frame per message sent, a `markRead` every other message. */
  typingFramesPerMessage: number;
  readMarksPerMessage: number;
  /** Sockets that get each message: the recipient's one (the bench's case); the sender's is the ack. */
  recipientSocketsPerMessage: number;
  /** web/src/realtime/socket.ts pings every 30 s (API Gateway drops sockets idle for 10 min). */
  pingIntervalSeconds: number;
}

export const WORKLOAD: Workload = {
  dailyActiveUsers: 100_000,
  monthlyActiveUsers: 250_000,
  messagesPerUserPerDay: 20,
  peakSockets: 10_000,
  socketMinutesPerUserPerDay: 60,
  connectionsPerUserPerDay: 3,
  httpCallsPerConnection: 3,
  otherReadsPerUserPerDay: 5,
  loginsPerUserPerDay: 0.2,
  signUpsPerUserPerDay: 0.01,
  passwordResetsPerUserPerDay: 0.001,
  accessTokenMinutes: 15,
  typingFramesPerMessage: 1,
  readMarksPerMessage: 0.5,
  recipientSocketsPerMessage: 1,
  pingIntervalSeconds: 30,
};

/** What the deployed platform adds to the locally measured work (not measured here). */
export interface Platform {
  /** One Redis round trip inside the VPC (same-AZ ElastiCache); loopback in the bench. */
  redisRoundTripMs: number;
  /** One `PostToConnection` from a Lambda (through NAT) and back; a stub on loopback in the bench. */
  pushRoundTripMs: number;
  /** One simple Postgres query through RDS Proxy. */
  postgresQueryMs: number;
  postgresQueriesPerLogin: number;
  /** Share of invocations that start a new execution environment (INIT is billed since Aug 2025). */
  coldStartShare: number;
  /** Lambda's START/END/REPORT lines plus one structured app line. */
  logBytesPerInvocation: number;
  /** A push on the wire through NAT: SigV4-signed request headers and the frame, plus the response. */
  natBytesPerPush: number;
  /** Bytes to the client per push frame, and per HTTP response. */
  clientBytesPerPush: number;
  clientBytesPerHttpResponse: number;
  /**
   * Stream entry of one message with a 120-character body (the bench's), measured once on Redis 7.0: 10,000
   * XADDs of the app's fields (from, to, body, clientMsgId) into one stream, MEMORY USAGE … SAMPLES 0 ÷ 10,000.
   */
  redisBytesPerStoredMessage: number;
  /** Bytes of write commands per message (append, both users' contacts and last message, unread). */
  redisBytesWrittenPerMessage: number;
  /** ElastiCache reserves about a quarter of a node's memory. */
  redisUsableMemoryShare: number;
  /** Lambda gives one full vCPU at 1,769 MB; below that, CPU time stretches by 1,769 / memory. */
  oneVcpuMb: number;
  /** EMF metric series (stacks/alarm-specs.ts: one dimension set, {service, stage}). */
  customMetrics: number;
  /** Alarm metrics as CloudWatch bills them: each metric of each alarm, per function where the alarm is. */
  alarms: number;
  dashboards: number;
}

const alarmMetrics = (): number =>
  ALARMS.reduce(
    (sum, spec) =>
      sum + spec.metrics.length * (spec.source === 'function' ? Object.keys(FUNCTIONS).length : 1),
    0,
  );

export const PLATFORM: Platform = {
  redisRoundTripMs: 0.5,
  pushRoundTripMs: 15,
  postgresQueryMs: 2,
  postgresQueriesPerLogin: 1,
  coldStartShare: 0.01,
  logBytesPerInvocation: 400,
  natBytesPerPush: 2_000,
  clientBytesPerPush: 400,
  clientBytesPerHttpResponse: 1_500,
  redisBytesPerStoredMessage: 275,
  redisBytesWrittenPerMessage: 1_024,
  redisUsableMemoryShare: 0.75,
  oneVcpuMb: 1769,
  customMetrics: APP_METRICS.length,
  alarms: alarmMetrics(),
  // stacks/monitoring.ts: one dashboard.
  dashboards: 1,
};

/** A Redis deployment and the rest of the production stage (stacks/storage.ts, stacks/network.ts). */
export interface Deployment {
  label: string;
  redis: {
    engine: 'elasticache-valkey' | 'memorydb-valkey';
    nodeType: string;
    /** Shards the stack deploys; the model adds more when the workload needs them. */
    shards: number;
    replicasPerShard: number;
  };
  /** Days of chat history Redis holds: the code caps each conversation at 10,000 messages, not by age. */
  historyDaysInRedis: number;
  postgres: { hourly: 'rdsPostgresT4gMicroHour'; multiAz: boolean; proxy: boolean; proxyVcpus: number };
  postgresStorageGb: number;
  natGateways: number;
}

/** Production as stacks/durable-redis.ts builds it: MemoryDB (Valkey), one shard with a replica. */
export const PRODUCTION: Deployment = {
  label: 'As built: MemoryDB db.t4g.small',
  redis: { engine: 'memorydb-valkey', nodeType: 'db.t4g.small', shards: 1, replicasPerShard: 1 },
  historyDaysInRedis: 30,
  postgres: { hourly: 'rdsPostgresT4gMicroHour', multiAz: true, proxy: true, proxyVcpus: 2 },
  postgresStorageGb: 20,
  natGateways: 2,
};

/** The same on larger nodes, and ElastiCache with a replica per shard (no durable log) beside it. */
export const ALTERNATIVES: readonly Deployment[] = [
  {
    ...PRODUCTION,
    label: 'MemoryDB db.r7g.large',
    redis: { engine: 'memorydb-valkey', nodeType: 'db.r7g.large', shards: 1, replicasPerShard: 1 },
  },
  {
    ...PRODUCTION,
    label: 'ElastiCache Valkey cache.r7g.large',
    redis: { engine: 'elasticache-valkey', nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 },
  },
];

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
