import { FUNCTIONS, sstMemory, sstTimeout, WEBSOCKET_ROUTES } from './function-specs';
import { lambdaDefaults } from './lambda';
import { isProductionStage } from './stage';

export interface WebSocketRouteLinks {
  /** Undefined under `sst dev` (sst.config.ts). */
  vpc: sst.aws.Vpc | undefined;
  /** Per route, only what its handler reads (functions/resource-env.ts): the link set is least privilege. */
  links: Record<keyof typeof WEBSOCKET_ROUTES, unknown[]>;
  /** The migration invocation (stacks/migrate.ts): no route's new code goes live before it succeeded. */
  after: $util.Resource[];
}

/** The WebSocket API: route selection `$request.body.action` (SST's default), every action on `$default`. */
export function createWebSocketApi() {
  return new sst.aws.ApiGatewayWebSocket('Ws', {
    accessLog: { retention: isProductionStage() ? '3 months' : '2 weeks' },
  });
}

/**
 * One Lambda per route, each linked to the API itself: that gives Resource.Ws.managementEndpoint and
 * `execute-api:ManageConnections` on `@connections`, which pushes and the 410 cleanup need.
 */
export function routeWebSocketApi(
  ws: sst.aws.ApiGatewayWebSocket,
  { vpc, links, after }: WebSocketRouteLinks,
) {
  return (Object.keys(WEBSOCKET_ROUTES) as (keyof typeof WEBSOCKET_ROUTES)[]).map((route) => {
    const spec = FUNCTIONS[WEBSOCKET_ROUTES[route]];
    const defaults = lambdaDefaults({ vpc, after });
    return ws.route(route, {
      handler: spec.handler,
      ...defaults,
      // The management API client in a chunk loaded by the first push, its credential chain cut to the env-variable
      // link (stacks/esbuild-plugins.mjs): README, "Performance", figures 4-5.
      nodejs: { ...defaults.nodejs, splitting: true, plugins: 'stacks/esbuild-plugins.mjs' },
      // 512 MB, 10 s: no password hashing, no Postgres (stacks/function-specs.ts).
      memory: sstMemory(spec),
      timeout: sstTimeout(spec),
      link: [ws, ...links[route]],
    });
  });
}
