import {
  E2E_LIMITS,
  FUNCTIONS,
  type FunctionSpec,
  HTTP_ROUTES,
  sstMemory,
  sstTimeout,
} from './function-specs';
import { lambdaDefaults } from './lambda';
import { isProductionStage } from './stage';

export interface ApiDeps {
  /** Undefined under `sst dev` (sst.config.ts). */
  vpc: sst.aws.Vpc | undefined;
  /** Db, Redis, the secrets, the WebSocket API, the Router, OriginVerify: what functions/resource-env.ts maps. */
  link: unknown[];
  /** The migration invocation (stacks/migrate.ts): the function's new code goes live only after it succeeded. */
  after: $util.Resource[];
}

/**
 * A stage named `e2e…` exists to run the black-box suite against AWS (README). Like the suite's local system, it
 * lifts the per-IP sign-up/login limits one test machine would exhaust; per-account limits stay as in production.
 */
const e2eStageLimits = (): Record<string, string> => ($app.stage.startsWith('e2e') ? E2E_LIMITS : {});

/** The HTTP API: one Lambda (the Hono app) on `$default`, routing in code (one deploy unit, fewer API calls). */
export function createApi({ vpc, link, after }: ApiDeps) {
  const api = new sst.aws.ApiGatewayV2('Api', {
    // The Hono app answers CORS itself (exact-origin allowlist with credentials); API Gateway must not.
    cors: false,
    accessLog: { retention: isProductionStage() ? '3 months' : '2 weeks' },
  });
  const spec: FunctionSpec = FUNCTIONS[HTTP_ROUTES.$default];
  const defaults = lambdaDefaults({ vpc, after, reservedConcurrency: spec.reservedConcurrency });
  const route = api.route('$default', {
    handler: spec.handler,
    ...defaults,
    // The management API client in a chunk loaded by the first push, its credential chain cut to the env-variable
    // link (stacks/esbuild-plugins.mjs): README, "Performance", figures 4-5.
    nodejs: { ...defaults.nodejs, splitting: true, plugins: 'stacks/esbuild-plugins.mjs' },
    environment: { ...defaults.environment, ...spec.settings, ...e2eStageLimits() },
    // 1,769 MB (one vCPU for bcrypt) and 15 s: stacks/function-specs.ts says why.
    memory: sstMemory(spec),
    timeout: sstTimeout(spec),
    // Linking the API to its own route gives Resource.Api.url (an allowed origin for direct API clients).
    link: [api, ...link],
  });
  return { api, route };
}
