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

export interface Priced {
  cost: CostByService;
  total: number;
}

export interface DeploymentCost extends Priced {
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
}

const priced = (cost: CostByService): Priced => ({ cost, total: total(cost) });

function restricted(usage: Usage, names: readonly OperationName[], withMinutes: boolean): Usage {
  const counts = { ...usage.counts };
  for (const name of Object.keys(counts) as OperationName[]) if (!names.includes(name)) counts[name] = 0;
  return { counts, socketMinutes: withMinutes ? usage.socketMinutes : 0 };
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
  };
}
