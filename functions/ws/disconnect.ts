import { createDeps } from '../../shared/create-deps.js';
import { handleDisconnect } from '../../shared/ws/handle-lifecycle.js';
import type { WebSocketEvent, WebSocketResult } from '../../shared/ws/websocket-event.js';
import { loadLinkedEnv } from '../resource-env.js';

const { deps } = await createDeps(loadLinkedEnv(), 'ws-disconnect');

/** `$disconnect` (best-effort on AWS): drops the connection record and announces presence. */
export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleDisconnect(deps, event, deps.logError);
