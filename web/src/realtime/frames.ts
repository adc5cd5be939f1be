import type { ServerFrame } from '../api/types.js';

const TYPES = new Set(['message', 'ack', 'typing', 'read', 'presence', 'pong', 'error']);

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
