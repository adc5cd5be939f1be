// Plain TypeScript (no SST globals), like function-specs.ts: the stacks, the alarms and tests/infra read the
// same figures, and README "Running in production" shows the arithmetic they come from.
import { FUNCTIONS, type FunctionSpec } from './function-specs';

/**
 * max_connections of production's Postgres (SST's default instance, db.t4g.micro): RDS sets
 * LEAST(DBInstanceClassMemory / 9531392, 5000), ≈ 81 once the OS's share of the 1 GiB is taken. Check it with
 * `SHOW max_connections` after a deploy or an instance class change, and update this.
 */
export const POSTGRES_MAX_CONNECTIONS = 81;

/**
 * RDS Proxy's share of those connections, and how long a client waits for one: the rest stays free for the
 * admin and RDS's own processes, and a request that cannot get a connection fails inside the HTTP function's
 * budget (503 `dependency_unavailable`) instead of queueing for the default 120 s.
 */
export const PROXY_POOL = {
  maxConnectionsPercent: 75,
  maxIdleConnectionsPercent: 25,
  borrowTimeoutSeconds: 5,
};

/** The most server connections the proxy opens: floor(81 × 75 %) = 60. */
export const PROXY_CONNECTION_BUDGET = Math.floor(
  (POSTGRES_MAX_CONNECTIONS * PROXY_POOL.maxConnectionsPercent) / 100,
);

/** Client connections the Postgres-using functions can hold at once: Σ reserved concurrency × pool size. */
export const POSTGRES_CLIENT_CEILING = Object.values(FUNCTIONS as Record<string, FunctionSpec>)
  .filter((spec) => spec.environment.includes('DATABASE_URL'))
  .reduce(
    (sum, spec) => sum + (spec.reservedConcurrency ?? 0) * Number(spec.settings?.DATABASE_POOL_MAX ?? 1),
    0,
  );
