import { lambdaDefaults } from './lambda';

export interface RealtimeDeps {
  vpc: sst.aws.Vpc;
  /** Db, Redis, the secrets and the Router (for the Origin allowlist). */
  link: unknown[];
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
export function routeWebSocketApi(ws: sst.aws.ApiGatewayWebSocket, { vpc, link }: RealtimeDeps) {
  for (const [route, handler] of Object.entries(ROUTES)) {
    ws.route(route, {
      handler,
      ...lambdaDefaults(vpc),
      // No password hashing here: small and cheap, with headroom for TLS handshakes at cold start.
      memory: '512 MB',
      timeout: '10 seconds',
      link: [ws, ...link],
    });
  }
}
