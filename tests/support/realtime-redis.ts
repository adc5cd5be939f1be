import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionRecord } from '../../shared/domain/realtime/ports.js';

/** A connection id in API Gateway's format (16 base64 chars), so the emulator answers 410, not 400. */
export const fakeConnectionId = (): string => randomBytes(11).toString('base64');

export const connectionFor = (
  userId: string = randomUUID(),
  overrides: Partial<ConnectionRecord> = {},
): ConnectionRecord => ({
  connectionId: fakeConnectionId(),
  userId,
  sessionId: randomUUID(),
  ...overrides,
});

/** The key under which the ticket store keeps a ticket (a SHA-256 digest, never the ticket itself). */
export const ticketDigest = (ticket: string): string =>
  createHash('sha256').update(ticket).digest('base64url');

/** A clock the connection store reads, which a test can move ahead of Redis's own clock. */
export function skewedClock() {
  let skewMs = 0;
  return {
    nowMs: () => Date.now() + skewMs,
    advance(ms: number): void {
      skewMs += ms;
    },
  };
}
