import { FUNCTIONS } from '../../stacks/function-specs.js';
import { type Deployment, HOURS_PER_MONTH, type Platform, type Workload } from './assumptions.js';
import type { MeasuredWork } from './bench-figures.js';
import { type Catalogue, cpuStretch, type LambdaName, OPERATION_NAMES } from './operations.js';
import { nodeType, AWS_PRICES as P } from './prices.js';
import { peakRates, type Usage } from './usage.js';

export const SERVICES = [
  'Lambda',
  'API Gateway HTTP API',
  'API Gateway WebSocket',
  'Redis',
  'Postgres (RDS + Proxy)',
  'NAT gateways',
  'CloudWatch',
  'SES',
  'Data transfer out',
] as const;
type Service = (typeof SERVICES)[number];
export type CostByService = Record<Service, number>;

const GB = 1024 ** 3;
const perMillion = (count: number, usd: number): number => (count / 1e6) * usd;

const zero = (): CostByService =>
  Object.fromEntries(SERVICES.map((service) => [service, 0])) as CostByService;

export const total = (cost: CostByService): number => SERVICES.reduce((sum, s) => sum + cost[s], 0);

function lambdaGbSeconds(fn: LambdaName, ms: number): number {
  return (ms / 1000) * (FUNCTIONS[fn].memoryMb / 1024);
}

/** INIT is billed: a cold start costs the bundle's import, stretched like any CPU work below one vCPU. */
function coldStartMs(fn: LambdaName, m: MeasuredWork, p: Platform): number {
  return Math.ceil(m.coldImportMs[fn] * cpuStretch(fn, p));
}

/** What the operations and connection-minutes themselves cost, by service (no standing charges). */
export function variableCost(
  usage: Usage,
  ops: Catalogue,
  m: MeasuredWork,
  p: Platform,
  d: Deployment,
): CostByService {
  const cost = zero();
  let pushes = 0;
  let httpRequests = 0;
  let emails = 0;
  let bytesWritten = 0;
  let invocations = 0;
  for (const name of OPERATION_NAMES) {
    const count = usage.counts[name];
    const op = ops[name];
    const gbSeconds =
      lambdaGbSeconds(op.fn, op.billedMs) +
      p.coldStartShare * lambdaGbSeconds(op.fn, coldStartMs(op.fn, m, p));
    cost.Lambda += perMillion(count, P.lambdaRequests.usd) + count * gbSeconds * P.lambdaArmGbSecond.usd;
    cost['API Gateway WebSocket'] += perMillion(count * op.webSocketMessages, P.webSocketMessages.usd);
    invocations += count;
    pushes += count * op.pushes;
    httpRequests += count * op.httpRequests;
    emails += count * op.emails;
    bytesWritten += count * op.redisBytesWritten;
  }
  cost['API Gateway HTTP API'] = perMillion(httpRequests, P.httpApiRequests.usd);
  cost['API Gateway WebSocket'] += perMillion(usage.socketMinutes, P.webSocketConnectionMinutes.usd);
  cost['NAT gateways'] = ((pushes * p.natBytesPerPush) / GB) * P.natGatewayGb.usd;
  cost.CloudWatch = ((invocations * p.logBytesPerInvocation) / GB) * P.cloudWatchLogsGb.usd;
  cost.SES = (emails / 1000) * P.sesPerThousandEmails.usd;
  const bytesOut = pushes * p.clientBytesPerPush + httpRequests * p.clientBytesPerHttpResponse;
  cost['Data transfer out'] = (bytesOut / GB) * P.dataTransferOutGb.usd;
  if (d.redis.engine === 'memorydb-valkey') cost.Redis = (bytesWritten / GB) * P.memoryDbDataWrittenGb.usd;
  return cost;
}

export interface RedisSizing {
  nodeType: string;
  deployedShards: number;
  bytesNeeded: number;
  peakCommandsPerSecond: number;
  shardsForMemory: number;
  shardsForThroughput: number;
  shards: number;
  nodes: number;
  /** How much Redis memory each further month of history adds, and what it costs in nodes. */
  historyBytesPerMonth: number;
}

/** Bytes per monthly user for sessions, contacts, read marks and the user directory (assumed). */
const BYTES_PER_USER = 2048;
const BYTES_PER_CONNECTION = 300;
const IDEMPOTENCY_KEY_BYTES = 136;

/**
 * Shards (each a primary and its replicas): as many as the stack deploys, or more where the history's memory or the
 * peak command rate needs them.
 */
export function sizeRedis(w: Workload, ops: Catalogue, p: Platform, d: Deployment): RedisSizing {
  const node = nodeType(d.redis.nodeType);
  const messagesPerDay = w.dailyActiveUsers * w.messagesPerUserPerDay;
  const bytesNeeded =
    messagesPerDay * d.historyDaysInRedis * p.redisBytesPerStoredMessage +
    messagesPerDay * IDEMPOTENCY_KEY_BYTES +
    w.monthlyActiveUsers * BYTES_PER_USER +
    w.peakSockets * BYTES_PER_CONNECTION;
  const rates = peakRates(w);
  const peakCommandsPerSecond = OPERATION_NAMES.reduce(
    (sum, name) => sum + rates[name] * ops[name].redisCommands,
    0,
  );
  const usablePerNode = node.memoryGiB * GB * p.redisUsableMemoryShare;
  const shardsForMemory = Math.ceil(bytesNeeded / usablePerNode);
  const shardsForThroughput = Math.ceil(peakCommandsPerSecond / node.commandsPerSecond);
  const shards = Math.max(d.redis.shards, shardsForMemory, shardsForThroughput);
  return {
    nodeType: node.name,
    deployedShards: d.redis.shards,
    bytesNeeded,
    peakCommandsPerSecond,
    shardsForMemory,
    shardsForThroughput,
    shards,
    nodes: shards * (1 + d.redis.replicasPerShard),
    historyBytesPerMonth: messagesPerDay * 30 * p.redisBytesPerStoredMessage,
  };
}

/** Charges that run by the hour whatever the traffic. */
export function standingCost(sizing: RedisSizing, p: Platform, d: Deployment): CostByService {
  const cost = zero();
  cost.Redis = sizing.nodes * nodeType(sizing.nodeType).hourly.usd * HOURS_PER_MONTH;
  const copies = d.postgres.multiAz ? 2 : 1;
  cost['Postgres (RDS + Proxy)'] =
    copies * P[d.postgres.hourly].usd * HOURS_PER_MONTH +
    copies * d.postgresStorageGb * P.rdsGp3GbMonth.usd +
    (d.postgres.proxy ? d.postgres.proxyVcpus * P.rdsProxyVcpuHour.usd * HOURS_PER_MONTH : 0);
  cost['NAT gateways'] = d.natGateways * P.natGatewayHour.usd * HOURS_PER_MONTH;
  cost.CloudWatch =
    p.customMetrics * P.cloudWatchMetricMonth.usd +
    p.alarms * P.cloudWatchAlarmMonth.usd +
    p.dashboards * P.cloudWatchDashboardMonth.usd;
  return cost;
}

export function addCosts(a: CostByService, b: CostByService): CostByService {
  const sum = zero();
  for (const service of SERVICES) sum[service] = a[service] + b[service];
  return sum;
}
