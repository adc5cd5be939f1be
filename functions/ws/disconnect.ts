import { webSocketView, withLogContext } from '../../shared/composition/log-context.js';
import { createRealtimeDeps } from '../../shared/composition/realtime-deps.js';
import { handleDisconnect } from '../../shared/ws/handle-connect-disconnect.js';
import type { WebSocketEvent, WebSocketResult } from '../../shared/ws/websocket-event.js';
import { loadLinkedRealtimeEnv } from '../resource-env.js';

// Redis and the management API only.
const { deps, telemetry } = createRealtimeDeps(loadLinkedRealtimeEnv(), 'ws-disconnect');

/** `$disconnect` (best-effort on AWS): drops the connection record and announces presence. */
export const handler = withLogContext(
  telemetry,
  webSocketView,
  (event: WebSocketEvent): Promise<WebSocketResult> => handleDisconnect(deps, event, deps.logError),
);
