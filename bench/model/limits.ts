import { PROXY_CONNECTION_BUDGET } from '../../stacks/capacity.js';
import { FUNCTIONS } from '../../stacks/function-specs.js';
import type { Deployment, Platform, Workload } from './assumptions.js';
import type { RedisSizing } from './monthly-cost.js';
import { type Catalogue, OPERATION_NAMES, type OperationName } from './operations.js';
import { nodeType } from './prices.js';
import { peakFactor, peakRates } from './usage.js';

/** A point on the way from today's peak to the target: concurrent sockets and chat messages per second. */
export interface ScalePoint {
  sockets: number;
  messagesPerSecond: number;
}

const TARGET: ScalePoint = { sockets: 1_000_000, messagesPerSecond: 10_000 };

export interface Limit {
  name: string;
  capacity: number;
  unit: string;
  source: string;
  verified: boolean;
  /** What lifts it. */
  lift: string;
  usage: (point: ScalePoint) => number;
}

export interface LimitHit {
  limit: Limit;
  /** 0 = today's peak, 1 = the target; log-interpolated in both sockets and messages. `null`: never hit. */
  fraction: number | null;
  at: ScalePoint | null;
  usageAtTarget: number;
}

/** Today's busiest hour as a scale point. */
export function todaysPeak(w: Workload): ScalePoint {
  return { sockets: w.peakSockets, messagesPerSecond: peakRates(w).sendMessage };
}

/** Operations per second at a scale point: per-socket work scales with sockets, per-message work with messages. */
function ratesAt(w: Workload, point: ScalePoint): Record<OperationName, number> {
  const today = todaysPeak(w);
  const base = peakRates(w);
  const bySockets = point.sockets / today.sockets;
  const byMessages = point.messagesPerSecond / today.messagesPerSecond;
  const perMessage = new Set<OperationName>(['sendMessage', 'typing', 'markRead']);
  const rates = { ...base };
  for (const name of OPERATION_NAMES)
    rates[name] = base[name] * (perMessage.has(name) ? byMessages : bySockets);
  return rates;
}

const sum = (rates: Record<OperationName, number>, weight: (name: OperationName) => number): number =>
  OPERATION_NAMES.reduce((total, name) => total + rates[name] * weight(name), 0);

const FRAMES = new Set<OperationName>(['sendMessage', 'typing', 'markRead', 'ping', 'connect', 'disconnect']);

export function limits(w: Workload, ops: Catalogue, p: Platform, d: Deployment, redis: RedisSizing): Limit[] {
  const at = (point: ScalePoint) => ratesAt(w, point);
  const node = nodeType(redis.nodeType);
  const usable = node.memoryGiB * 1024 ** 3 * p.redisUsableMemoryShare;
  const usersPerSocket = w.monthlyActiveUsers / w.peakSockets;
  const apiGatewayDocs = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/';
  return [
    {
      name: 'API Gateway: new WebSocket connections per second (account, region)',
      capacity: 500,
      unit: 'connects/s',
      source: `${apiGatewayDocs}apigateway-execution-service-websocket-limits-table.html`,
      verified: true,
      lift: 'Service Quotas increase (L-9ED1E49A); jittered client reconnects, so a deploy or failover is no stampede',
      usage: (point) => at(point).connect,
    },
    {
      name: 'API Gateway: requests per second, all APIs of the account and region (WebSocket frames + HTTP)',
      capacity: 10_000,
      unit: 'requests/s',
      source: `${apiGatewayDocs}websocket-api-protect.html`,
      verified: false,
      lift: 'AWS Support increase; ping every 5 min instead of 30 s (the idle cut is 10 min); coalesce typing frames',
      usage: (point) => sum(at(point), (name) => (FRAMES.has(name) ? 1 : ops[name].httpRequests)),
    },
    {
      name: 'Lambda: concurrent executions (account default, region)',
      capacity: 1_000,
      unit: 'executions',
      source: 'https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html',
      verified: false,
      lift:
        'Service Quotas increase (free); reserved concurrency for http so chat cannot starve logins. Each function ' +
        'also grows by at most 1,000 environments per 10 s',
      usage: (point) => sum(at(point), (name) => ops[name].billedMs / 1000),
    },
    {
      // Production caps the http function's environments (stacks/function-specs.ts) to protect Postgres.
      name: 'Lambda: reserved concurrency of the http function (production)',
      capacity: FUNCTIONS.http.reservedConcurrency,
      unit: 'executions',
      source: 'stacks/function-specs.ts',
      verified: true,
      lift: 'raise it with the Postgres connection budget (stacks/capacity.ts), or a larger instance behind the proxy',
      usage: (point) => sum(at(point), (name) => (ops[name].fn === 'http' ? ops[name].billedMs / 1000 : 0)),
    },
    {
      name: `Redis: commands per second on ${redis.shards} shard(s) of ${redis.nodeType}`,
      capacity: redis.shards * node.commandsPerSecond,
      unit: 'commands/s',
      source:
        'per-shard planning figure (assumed, bench/model/prices.ts); commands per operation from the bench',
      verified: false,
      lift: 'more shards: keys are hash-tagged per user and conversation (shared/adapters/redis/keys.ts), so they spread',
      usage: (point) => sum(at(point), (name) => ops[name].redisCommands),
    },
    {
      name: `Redis: memory of ${redis.shards} shard(s) of ${redis.nodeType} (${d.historyDaysInRedis} days of history)`,
      capacity: redis.shards * usable,
      unit: 'bytes',
      source: 'stream entry size measured with MEMORY USAGE; 25 % of node memory reserved',
      verified: true,
      lift: 'archive history older than a few days to Postgres or S3 and trim streams by age (XTRIM MINID); more shards',
      // History builds up at the day's average rate, not the peak hour's.
      usage: (point) =>
        (point.messagesPerSecond / peakFactor(w)) *
          86_400 *
          d.historyDaysInRedis *
          p.redisBytesPerStoredMessage +
        point.sockets * usersPerSocket * 2048 +
        point.sockets * 300,
    },
    {
      name: 'Postgres: server connections RDS Proxy may open (db.t4g.micro)',
      capacity: PROXY_CONNECTION_BUDGET,
      unit: 'connections',
      source: 'stacks/capacity.ts (max_connections × the proxy pool share)',
      verified: true,
      lift:
        'only register, login and search touch Postgres; a larger instance raises max_connections. The http ' +
        "function's reserved concurrency caps the client side",
      usage: (point) => sum(at(point), (name) => (ops[name].postgresQueries * p.postgresQueryMs) / 1000),
    },
  ];
}

/** Where along the way (log scale in sockets and messages) each limit is reached, in the order they are hit. */
export function firstLimits(list: Limit[], today: ScalePoint, target: ScalePoint = TARGET): LimitHit[] {
  const point = (f: number): ScalePoint => ({
    sockets: today.sockets * (target.sockets / today.sockets) ** f,
    messagesPerSecond: today.messagesPerSecond * (target.messagesPerSecond / today.messagesPerSecond) ** f,
  });
  const hits = list.map((limit): LimitHit => {
    const usageAtTarget = limit.usage(target);
    if (limit.usage(today) >= limit.capacity) return { limit, fraction: 0, at: today, usageAtTarget };
    if (usageAtTarget < limit.capacity) return { limit, fraction: null, at: null, usageAtTarget };
    let [low, high] = [0, 1];
    for (let i = 0; i < 60; i++) {
      const mid = (low + high) / 2;
      if (limit.usage(point(mid)) >= limit.capacity) high = mid;
      else low = mid;
    }
    return { limit, fraction: high, at: point(high), usageAtTarget };
  });
  return hits.sort(
    (a, b) => (a.fraction ?? Number.POSITIVE_INFINITY) - (b.fraction ?? Number.POSITIVE_INFINITY),
  );
}
