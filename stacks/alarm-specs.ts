// Plain TypeScript (no SST globals): stacks/monitoring.ts builds production's alarms from this table, and
// tests/infra/graph.test.ts holds the rendered alarms to it.
import { METRIC_NAMES } from '../shared/domain/metrics';
import { POSTGRES_CLIENT_CEILING, PROXY_CONNECTION_BUDGET } from './capacity';

/** Where the app's Powertools Metrics (EMF) land; dimensions are exactly {service, stage}. */
export const METRICS_NAMESPACE = 'ServerlessChat';
export const appDimensions = (stage: string) => ({ service: 'chat', stage });

/** The business events the functions count (Count unit), as shared/ emits them: one list, so they cannot drift. */
export const APP_METRICS = METRIC_NAMES;

export interface AlarmSpec {
  /** Alarm name suffix: `<app>-<stage>-[<function>-]<id>`. */
  id: string;
  description: string;
  /** Which resource the dimensions name; `function` makes one alarm per Lambda. */
  source: 'app' | 'httpApi' | 'wsApi' | 'function' | 'redis' | 'dbInstance' | 'dbProxy';
  namespace: string;
  metrics: { id: string; name: string; stat: 'Sum' | 'Maximum' }[];
  /** CloudWatch metric math over the metric ids; the alarm fires when it is ≥ threshold. */
  expression: string;
  /**
   * Query the (single) metric with Metrics Insights instead, over every series carrying the resource dimension,
   * whatever other dimensions it has: MemoryDB reports per node, and an alarm on a dimension set that is never
   * published would wait silently forever.
   */
  insights?: boolean;
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
}

const FIVE_MINUTES = { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 };
const app = (id: string, name: string) => ({ id, name, stat: 'Sum' as const });

export const ALARMS: readonly AlarmSpec[] = [
  {
    id: 'http-5xx-rate',
    description: 'HTTP API: ≥ 5 % of requests answered 5xx in 3 of 5 minutes (with ≥ 20 requests a minute).',
    source: 'httpApi',
    namespace: 'AWS/ApiGateway',
    metrics: [
      { id: 'errors', name: '5xx', stat: 'Sum' },
      { id: 'requests', name: 'Count', stat: 'Sum' },
    ],
    expression: 'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
    threshold: 5,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
  },
  {
    id: 'errors',
    description: 'Lambda: ≥ 5 failed invocations (uncaught error, timeout, out of memory) in 5 minutes.',
    source: 'function',
    namespace: 'AWS/Lambda',
    metrics: [{ id: 'errors', name: 'Errors', stat: 'Sum' }],
    expression: 'errors',
    threshold: 5,
    ...FIVE_MINUTES,
  },
  {
    id: 'throttles',
    description: 'Lambda: throttled at its reserved or the account concurrency (callers got 429/503).',
    source: 'function',
    namespace: 'AWS/Lambda',
    metrics: [{ id: 'throttles', name: 'Throttles', stat: 'Sum' }],
    expression: 'throttles',
    threshold: 1,
    ...FIVE_MINUTES,
  },
  {
    id: 'ws-errors',
    description:
      'WebSocket API: ≥ 10 execution or integration errors (a route function failed) in 5 minutes.',
    source: 'wsApi',
    namespace: 'AWS/ApiGateway',
    metrics: [
      { id: 'execution', name: 'ExecutionError', stat: 'Sum' },
      { id: 'integration', name: 'IntegrationError', stat: 'Sum' },
    ],
    expression: 'FILL(execution, 0) + FILL(integration, 0)',
    threshold: 10,
    ...FIVE_MINUTES,
  },
  {
    id: 'push-error-rate',
    description: 'Pushes: ≥ 5 % failed (not 410, not 429) in 5 minutes, with ≥ 20 pushes.',
    source: 'app',
    namespace: METRICS_NAMESPACE,
    metrics: [
      app('ok', 'PushOk'),
      app('gone', 'PushGone'),
      app('throttled', 'PushThrottled'),
      app('failed', 'PushError'),
    ],
    expression:
      'IF(FILL(ok, 0) + FILL(gone, 0) + FILL(throttled, 0) + FILL(failed, 0) >= 20, 100 * FILL(failed, 0) / (FILL(ok, 0) + FILL(gone, 0) + FILL(throttled, 0) + FILL(failed, 0)), 0)',
    threshold: 5,
    ...FIVE_MINUTES,
  },
  {
    id: 'redis-memory',
    description:
      'MemoryDB: memory ≥ 80 % on any node for 10 minutes. Near 100 % writes fail: scale up or out now.',
    source: 'redis',
    namespace: 'AWS/MemoryDB',
    metrics: [{ id: 'memory', name: 'DatabaseMemoryUsagePercentage', stat: 'Maximum' }],
    expression: 'memory',
    insights: true,
    threshold: 80,
    periodSeconds: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
  },
  {
    id: 'postgres-connections',
    description: `Postgres: ≥ ${PROXY_CONNECTION_BUDGET} connections, RDS Proxy's whole share of max_connections.`,
    source: 'dbInstance',
    namespace: 'AWS/RDS',
    metrics: [{ id: 'connections', name: 'DatabaseConnections', stat: 'Maximum' }],
    expression: 'connections',
    threshold: PROXY_CONNECTION_BUDGET,
    ...FIVE_MINUTES,
  },
  {
    id: 'proxy-client-connections',
    description: `RDS Proxy: ≥ 90 % of the ${POSTGRES_CLIENT_CEILING} client connections reserved concurrency allows.`,
    source: 'dbProxy',
    namespace: 'AWS/RDS',
    metrics: [{ id: 'clients', name: 'ClientConnections', stat: 'Maximum' }],
    expression: 'clients',
    threshold: Math.floor(POSTGRES_CLIENT_CEILING * 0.9),
    ...FIVE_MINUTES,
  },
  {
    id: 'refresh-reuse',
    description:
      'A rotated refresh token was presented again (theft or a client bug); the session was revoked.',
    source: 'app',
    namespace: METRICS_NAMESPACE,
    metrics: [app('reuse', 'RefreshReuseDetected')],
    expression: 'reuse',
    threshold: 1,
    ...FIVE_MINUTES,
  },
  {
    id: 'login-throttles',
    description: 'Login storm: ≥ 50 throttled logins (429) in 5 minutes, e.g. credential stuffing.',
    source: 'app',
    namespace: METRICS_NAMESPACE,
    metrics: [app('throttled', 'LoginThrottled')],
    expression: 'throttled',
    threshold: 50,
    ...FIVE_MINUTES,
  },
];
