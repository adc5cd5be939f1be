import type { ServerFrame, ServerFrameType } from '../api/types.js';

// A record, not a list, so a frame type added to (or removed from) the contract fails to compile here.
const KNOWN: Record<ServerFrameType, true> = {
  message: true,
  ack: true,
  typing: true,
  read: true,
  presence: true,
  pong: true,
  error: true,
  // Group frames: the web client's group views are built from these (issue 13).
  groupMessage: true,
  groupAck: true,
  groupTyping: true,
  groupRead: true,
  group: true,
};
const TYPES = new Set<string>(Object.keys(KNOWN));

/** Parses one server frame; anything else (a gateway's own `{message: "Forbidden"}`, say) is null. */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('type' in value)) return null;
  return typeof value.type === 'string' && TYPES.has(value.type) ? (value as ServerFrame) : null;
}
