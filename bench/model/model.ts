import {
  ALTERNATIVES,
  type Deployment,
  PLATFORM,
  type Platform,
  PRODUCTION,
  WORKLOAD,
  type Workload,
} from './assumptions.js';
import type { MeasuredWork } from './bench-figures.js';
import { type HostedQuote, hostedQuotes } from './hosted-alternatives.js';
import { firstLimits, type LimitHit, limits, todaysPeak } from './limits.js';
import {
  addCosts,
  type CostByService,
  type RedisSizing,
  sizeRedis,
  standingCost,
  total,
  variableCost,
} from './monthly-cost.js';
import { type Catalogue, type OperationName, operationCatalogue } from './operations.js';
import {
  connectedForAMonth,
  monthlyUsage,
  perMillion,
  perMillionMessagesWithFrames,
  type Usage,
} from './usage.js';

interface Priced {
  cost: CostByService;
  total: number;
}

interface DeploymentCost extends Priced {
  deployment: Deployment;
  redis: RedisSizing;
}

export interface ModelResult {
  measured: MeasuredWork;
  workload: Workload;
  platform: Platform;
  operations: Catalogue;
  monthlyUsage: Usage;
  /** The production stage as built, and with other Redis deployments. */
  monthly: DeploymentCost;
  alternatives: DeploymentCost[];
  unit: { label: string; priced: Priced }[];
  /** Variable cost of the realtime path and of auth, for the comparison with hosted products. */
  slices: { realtime: number; auth: number };
  limits: LimitHit[];
  hosted: HostedQuote[];
  /** The as-built monthly total under one changed assumption each: what moves the bill. */
  whatIf: { label: string; total: number }[];
}

const priced = (cost: CostByService): Priced => ({ cost, total: total(cost) });

function restricted(usage: Usage, names: readonly OperationName[], withMinutes: boolean): Usage {
  const counts = { ...usage.counts };
  for (const name of Object.keys(counts) as OperationName[]) if (!names.includes(name)) counts[name] = 0;
  return { counts, socketMinutes: withMinutes ? usage.socketMinutes : 0 };
}

/** Monthly total of one deployment for a workload and platform. */
function monthlyTotal(measured: MeasuredWork, w: Workload, p: Platform, d: Deployment): number {
  const operations = operationCatalogue(measured, w, p);
  const redis = sizeRedis(w, operations, p, d);
  return total(
    addCosts(variableCost(monthlyUsage(w), operations, measured, p, d), standingCost(redis, p, d)),
  );
}

/** The whole model for one set of bench figures: pure, so the page and the printed tables cannot disagree. */
export function runModel(
  measured: MeasuredWork,
  workload: Workload = WORKLOAD,
  platform: Platform = PLATFORM,
  deployment: Deployment = PRODUCTION,
  alternatives: readonly Deployment[] = ALTERNATIVES,
): ModelResult {
  const operations = operationCatalogue(measured, workload, platform);
  const usage = monthlyUsage(workload);
  const costFor = (d: Deployment): DeploymentCost => {
    const redis = sizeRedis(workload, operations, platform, d);
    const cost = addCosts(
      variableCost(usage, operations, measured, platform, d),
      standingCost(redis, platform, d),
    );
    return { deployment: d, redis, ...priced(cost) };
  };
  const monthly = costFor(deployment);
  const marginal = (u: Usage): Priced => priced(variableCost(u, operations, measured, platform, deployment));
  const realtimeOps = ['sendMessage', 'typing', 'markRead', 'ping', 'connect', 'disconnect'] as const;
  const authOps = ['login', 'refresh', 'signUp', 'passwordReset'] as const;
  return {
    measured,
    workload,
    platform,
    operations,
    monthlyUsage: usage,
    monthly,
    alternatives: alternatives.map(costFor),
    unit: [
      { label: 'per 1 M messages (the send alone)', priced: marginal(perMillion('sendMessage')) },
      {
        label: 'per 1 M messages with their typing and read frames',
        priced: marginal(perMillionMessagesWithFrames(workload)),
      },
      { label: 'per 1 M logins', priced: marginal(perMillion('login')) },
      {
        label: 'per 100 k users connected for a month (idle: keep-alive, reconnects, refreshes)',
        priced: marginal(connectedForAMonth(workload, 100_000)),
      },
    ],
    slices: {
      realtime: marginal(restricted(usage, realtimeOps, true)).total,
      auth: marginal(restricted(usage, authOps, false)).total,
    },
    limits: firstLimits(
      limits(workload, operations, platform, deployment, monthly.redis),
      todaysPeak(workload),
    ),
    hosted: hostedQuotes(workload, usage),
    whatIf: [
      { label: 'as built', total: monthly.total },
      {
        label: 'clients ping every 5 min instead of 30 s',
        total: monthlyTotal(measured, { ...workload, pingIntervalSeconds: 300 }, platform, deployment),
      },
      {
        label: 'Redis keeps 7 days of history (older archived) instead of 30',
        total: monthlyTotal(measured, workload, platform, { ...deployment, historyDaysInRedis: 7 }),
      },
      {
        label: 'no typing frames',
        total: monthlyTotal(measured, { ...workload, typingFramesPerMessage: 0 }, platform, deployment),
      },
      {
        label: 'every message reaches 2 sockets of the recipient',
        total: monthlyTotal(measured, { ...workload, recipientSocketsPerMessage: 2 }, platform, deployment),
      },
      {
        label: 'pushes take 50 ms instead of 15 ms',
        total: monthlyTotal(measured, workload, { ...platform, pushRoundTripMs: 50 }, deployment),
      },
    ],
  };
}
