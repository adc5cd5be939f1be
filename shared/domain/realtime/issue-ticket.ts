import { spendBudget } from '../budget.js';
import type { RealtimeDeps } from './realtime-deps.js';

/** A single-use WebSocket ticket for the caller's session (browsers cannot send headers on the upgrade). */
export async function issueTicket(
  deps: Pick<RealtimeDeps, 'tickets' | 'limiter' | 'clock' | 'realtime'>,
  grant: { userId: string; sessionId: string },
): Promise<{ ticket: string; expiresAt: Date }> {
  await spendBudget(
    deps.limiter,
    `ticket:${grant.userId}`,
    deps.realtime.ticketLimit,
    'Too many tickets; slow down',
  );
  const ttl = deps.realtime.ticketTtlSeconds;
  const ticket = await deps.tickets.issue(grant, ttl);
  return { ticket, expiresAt: new Date(deps.clock.nowMs() + ttl * 1000) };
}
