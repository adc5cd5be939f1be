import { webSocketView, withLogContext } from '../../shared/composition/log-context.js';
import { createRealtimeDeps } from '../../shared/composition/realtime-deps.js';
import { handleFrame } from '../../shared/ws/handle-frame.js';
import type { WebSocketEvent, WebSocketResult } from '../../shared/ws/websocket-event.js';
import { loadLinkedRealtimeEnv } from '../resource-env.js';

// Redis and the management API only: a message never touches Postgres or a key.
const { deps, telemetry } = createRealtimeDeps(loadLinkedRealtimeEnv(), 'ws-message');

/** `$default` (and any action route): replies travel through the management API, so the route stays one-way. */
export const handler = withLogContext(
  telemetry,
  webSocketView,
  async (event: WebSocketEvent): Promise<WebSocketResult> => {
    await handleFrame(deps, event.requestContext.connectionId, event.body ?? '', deps.logError);
    return { statusCode: 200 };
  },
);
