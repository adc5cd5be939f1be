import { lambdaDefaults } from './lambda';

export interface WebSocketRouteLinks {
  vpc: sst.aws.Vpc;
  /** Per route, only what its handler reads (functions/resource-env.ts): the link set is least privilege. */
  links: Record<keyof typeof ROUTES, unknown[]>;
}

const ROUTES = {
  $connect: 'functions/ws/connect.handler',
  $disconnect: 'functions/ws/disconnect.handler',
  $default: 'functions/ws/message.handler',
} as const;

/** The WebSocket API: route selection `$request.body.action` (SST's default), every action on `$default`. */
export function createWebSocketApi() {
  return new sst.aws.ApiGatewayWebSocket('Ws', {
    accessLog: { retention: $app.stage === 'production' ? '3 months' : '2 weeks' },
  });
}

/**
 * One Lambda per route, each linked to the API itself: that gives Resource.Ws.managementEndpoint and
 * `execute-api:ManageConnections` on `@connections`, which pushes and the 410 cleanup need.
 */
export function routeWebSocketApi(ws: sst.aws.ApiGatewayWebSocket, { vpc, links }: WebSocketRouteLinks) {
  for (const [route, handler] of Object.entries(ROUTES) as [keyof typeof ROUTES, string][]) {
    ws.route(route, {
      handler,
      ...lambdaDefaults(vpc),
      // No password hashing, no Postgres: small and cheap, with headroom for TLS handshakes at cold start.
      memory: '512 MB',
      timeout: '10 seconds',
      link: [ws, ...links[route]],
    });
  }
}
