import { createDeps } from '../../shared/create-deps.js';
import { handleConnect } from '../../shared/ws/handle-lifecycle.js';
import type { WebSocketEvent, WebSocketResult } from '../../shared/ws/websocket-event.js';
import { loadLinkedEnv } from '../resource-env.js';

// Module scope = once per cold start.
const { deps } = await createDeps(loadLinkedEnv(), 'ws-connect');

/** `$connect`: ticket or Bearer + Origin allowlist; the status is the handshake answer. */
export const handler = (event: WebSocketEvent): Promise<WebSocketResult> =>
  handleConnect(deps, event, deps.logError);
