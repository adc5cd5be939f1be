// Plain TypeScript (no SST or Pulumi globals): the SST stacks build their Lambdas and routes from this module, and
// localstack/deploy.ts deploys the same functions to LocalStack from it, so the two cannot drift. The tests hold
// both sides to it: tests/infra/graph.test.ts (the rendered SST graph) and tests/unit/localstack/deploy.test.ts.

/** Pinned rather than SST's default (nodejs24.x in 4.17.1): the handlers are tested on Node 20/22. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_ARCHITECTURE = 'arm64';

/**
 * Plain environment every Lambda gets. Node 20+ Lambda runtimes no longer trust the Amazon RDS CAs by default;
 * the bundle ships in the runtime.
 */
export const LAMBDA_BASE_ENVIRONMENT = { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } as const;

export interface FunctionSpec {
  /** `<entry file without .ts>.<export>`, as SST takes it. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * The configuration keys the deployment hands this function (SST: through its links, mapped by
   * functions/resource-env.ts; LocalStack: as plain environment variables). Least privilege: nothing else.
   */
  environment: readonly string[];
  /** Directories copied next to the bundle (`from` in the repository, `to` inside the package). */
  copyFiles?: readonly { from: string; to: string }[];
  /** Plain, non-secret settings every deployment sets as Lambda environment variables (SST and LocalStack alike). */
  settings?: Readonly<Record<string, string>>;
  /**
   * Reserved concurrency in production (stacks/lambda.ts): the most environments this function runs at once, so
   * the most Postgres connections it can hold is this × DATABASE_POOL_MAX (README, "Running in production").
   */
  reservedConcurrency?: number;
}

/**
 * One Postgres connection per Lambda environment: an environment serves one request at a time, and RDS Proxy
 * multiplexes. Stated rather than left to the schema's default so the README's arithmetic is what deploys.
 */
const POSTGRES_POOL = { DATABASE_POOL_MAX: '1' } as const;

const REDIS = ['REDIS_URL', 'REDIS_MODE'] as const;
/** Every function: its stage name, the `stage` dimension of its metrics (from the App link). */
const BASE = ['STAGE'] as const;
export const MIGRATIONS_DIR = 'shared/adapters/db/migrations';

export const FUNCTIONS = {
  http: {
    handler: 'functions/http.handler',
    // bcrypt (cost 12) is pure CPU: 1,769 MB is one full vCPU (~280 ms per hash instead of seconds).
    memoryMb: 1769,
    // Every Postgres/Redis wait is bounded far below this; API Gateway gives up at 30 s anyway.
    timeoutSeconds: 15,
    environment: [
      ...BASE,
      'DATABASE_URL',
      ...REDIS,
      'JWT_SIGNING_KEY',
      'JWT_PREVIOUS_PUBLIC_KEYS',
      'PASSWORD_PEPPER',
      'WS_MANAGEMENT_ENDPOINT',
      'ALLOWED_ORIGINS',
      'ORIGIN_VERIFY_SECRET',
      'MAIL_FROM',
    ],
    settings: POSTGRES_POOL,
    // 50 environments × 1 connection stay inside RDS Proxy's share of the instance (README).
    reservedConcurrency: 50,
  },
  // No password hashing, no Postgres: small and cheap, with headroom for TLS handshakes at cold start.
  wsConnect: {
    handler: 'functions/ws/connect.handler',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...BASE, ...REDIS, 'JWT_PUBLIC_KEYS', 'WS_MANAGEMENT_ENDPOINT', 'ALLOWED_ORIGINS'],
  },
  wsDisconnect: {
    handler: 'functions/ws/disconnect.handler',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...BASE, ...REDIS, 'WS_MANAGEMENT_ENDPOINT'],
  },
  wsMessage: {
    handler: 'functions/ws/message.handler',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...BASE, ...REDIS, 'WS_MANAGEMENT_ENDPOINT'],
  },
  migrate: {
    handler: 'functions/migrate.handler',
    memoryMb: 512,
    timeoutSeconds: 300,
    environment: [...BASE, 'DATABASE_URL', ...REDIS],
    // shared/adapters/db/migrate.ts resolves `./migrations` next to the bundle.
    copyFiles: [{ from: MIGRATIONS_DIR, to: 'migrations' }],
    settings: POSTGRES_POOL,
    // One migration at a time, and one connection: a stuck deploy cannot fan out against the database.
    reservedConcurrency: 1,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** HTTP API: one Lambda (the Hono app) on `$default`, routing in code (one deploy unit, fewer API calls). */
export const HTTP_ROUTES = { $default: 'http' } as const satisfies Record<string, FunctionName>;

/** WebSocket API: every action goes to `$default`; the handshake and the close have their own functions. */
export const WEBSOCKET_ROUTES = {
  $connect: 'wsConnect',
  $disconnect: 'wsDisconnect',
  $default: 'wsMessage',
} as const satisfies Record<string, FunctionName>;

/** SST's default for ApiGatewayWebSocket, stated so the LocalStack deployer sets the same. */
export const WEBSOCKET_ROUTE_SELECTION = '$request.body.action';

/**
 * A stage that exists to run the black-box suite (an `e2e…` stage on AWS, LocalStack) lifts the per-IP
 * sign-up/login limits one test machine would exhaust, as the suite's local system does; per-account limits stay.
 */
export const E2E_LIMITS = { LOGIN_IP_LIMIT: '10000', REGISTER_IP_LIMIT: '10000' } as const;

/** SST's duration strings for a spec (`sst.aws.FunctionArgs` memory and timeout). */
export const sstMemory = (spec: FunctionSpec) => `${spec.memoryMb} MB` as const;
export const sstTimeout = (spec: FunctionSpec) => `${spec.timeoutSeconds} seconds` as const;
