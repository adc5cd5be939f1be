import type { WsRouteHandlers } from '../local/ws-gateway.js';
import { accessTokenVerifier } from '../shared/composition/access-token-verifier.js';
import { createRealtimeDeps } from '../shared/composition/realtime-deps.js';
import type { RealtimeEnv } from '../shared/config/realtime-env.js';
import { handleConnect, handleDisconnect } from '../shared/ws/handle-connect-disconnect.js';
import { handleFrame } from '../shared/ws/handle-frame.js';

/**
 * The three WebSocket functions exactly as functions/ws/{connect,message,disconnect}.ts build them: one
 * composition root (and one Redis connection) each, from the realtime env alone — no Postgres, no signing key.
 */
export function startRealtimeFunctions(env: RealtimeEnv) {
  const connect = createRealtimeDeps(env, 'ws-connect');
  const connectDeps = { ...connect.deps, tokens: accessTokenVerifier(env) };
  const message = createRealtimeDeps(env, 'ws-message');
  const disconnect = createRealtimeDeps(env, 'ws-disconnect');
  let opened = 0;
  let closed = 0;
  const routes: WsRouteHandlers = {
    $connect: async (event) => {
      const result = await handleConnect(connectDeps, event, connect.deps.logError);
      if (result.statusCode === 200) opened += 1;
      return result;
    },
    $disconnect: async (event) => {
      try {
        return await handleDisconnect(disconnect.deps, event, disconnect.deps.logError);
      } finally {
        closed += 1;
      }
    },
    $default: async (event) => {
      await handleFrame(
        message.deps,
        event.requestContext.connectionId,
        event.body ?? '',
        message.deps.logError,
      );
      return { statusCode: 200 };
    },
  };
  return {
    routes,
    message,
    /** Sockets whose `$disconnect` has not run yet. */
    openSockets: () => opened - closed,
    close: async () => void (await Promise.all([connect.close(), message.close(), disconnect.close()])),
  };
}
