import { createHash, randomBytes } from 'node:crypto';
import type { TicketStore } from '../../domain/realtime/ports.js';
import type { RedisClient } from './client.js';
import { ticketKey } from './realtime-keys.js';
import { orUnavailable } from './scripts.js';

// Only a digest is stored, so a Redis dump or MONITOR never shows a usable ticket.
const digest = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

/** 256-bit random tickets, redeemed with GETDEL: atomic, so a ticket works exactly once. */
export function createTicketStore(redis: RedisClient): TicketStore {
  return {
    async issue(grant, ttlSeconds) {
      const ticket = randomBytes(32).toString('base64url');
      await orUnavailable(redis.set(ticketKey(digest(ticket)), JSON.stringify(grant), 'EX', ttlSeconds));
      return ticket;
    },
    async consume(ticket) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return null;
      const raw = await orUnavailable(redis.getdel(ticketKey(digest(ticket))));
      if (!raw) return null;
      const grant = JSON.parse(raw) as { userId?: unknown; sessionId?: unknown };
      if (typeof grant.userId !== 'string' || typeof grant.sessionId !== 'string') return null;
      return { userId: grant.userId, sessionId: grant.sessionId };
    },
  };
}
