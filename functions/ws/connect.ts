import { accessTokenVerifier } from '../../shared/composition/access-token-verifier.js';
import { webSocketView, withLogContext } from '../../shared/composition/log-context.js';
import { createRealtimeDeps } from '../../shared/composition/realtime-deps.js';
import { handleConnect } from '../../shared/ws/handle-connect-disconnect.js';
import type { WebSocketEvent, WebSocketResult } from '../../shared/ws/websocket-event.js';
import { loadLinkedRealtimeEnv } from '../resource-env.js';

// Module scope = once per cold start. Redis, the public verify keys and the management API: no Postgres.
const env = loadLinkedRealtimeEnv();
const tokens = accessTokenVerifier(env);
const { deps, telemetry } = createRealtimeDeps(env, 'ws-connect');
const connectDeps = { ...deps, tokens };

/** `$connect`: ticket or Bearer + Origin allowlist; the status is the handshake answer. */
export const handler = withLogContext(
  telemetry,
  webSocketView,
  (event: WebSocketEvent): Promise<WebSocketResult> => handleConnect(connectDeps, event, deps.logError),
);
