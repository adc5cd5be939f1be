import type { ChatMessage } from '../chat/message.js';
import type { ErrorCode } from '../errors.js';

/** Everything the server pushes to a socket (DESIGN.md §5). */
export type ServerFrame =
  | { type: 'message'; message: ChatMessage }
  | { type: 'ack'; clientMsgId: string; message: ChatMessage; duplicate: boolean }
  | { type: 'typing'; from: string }
  | { type: 'read'; by: string; peerId: string; upTo: string }
  | { type: 'presence'; userId: string; online: boolean }
  | { type: 'pong' }
  /** `retryAfter`: seconds to wait before retrying (rate limits). */
  | { type: 'error'; code: ErrorCode; detail: string; clientMsgId?: string; retryAfter?: number };
