import { userTag } from './keys.js';

// Looked up by a bare connection id or ticket (single-key operations), so these carry no hash tag.
export const connectionKey = (connectionId: string): string => `ws:conn:${connectionId}`;
export const ticketKey = (ticketDigest: string): string => `ws:ticket:${ticketDigest}`;

/** Per-user hash: connection id → `<sessionId>|<expiresAtMs>|<connectedAtMs>`, in the user's slot. */
export const userConnectionsKey = (userId: string): string => `${userTag(userId)}:conns`;
