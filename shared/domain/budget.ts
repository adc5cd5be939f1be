import type { RateLimiter } from './auth/ports.js';
import { AppError } from './errors.js';

/** A fixed-window budget: at most `limit` hits per `windowSeconds`. */
export interface Budget {
  limit: number;
  windowSeconds: number;
}

/** Spends one unit of a budget or throws rate_limited with the wait (429 + Retry-After, or an error frame). */
export async function spendBudget(
  limiter: RateLimiter,
  bucket: string,
  budget: Budget,
  detail: string,
): Promise<void> {
  const decision = await limiter.hit(bucket, budget.limit, budget.windowSeconds);
  if (!decision.allowed) {
    throw new AppError('rate_limited', detail, { retryAfterSeconds: decision.retryAfterSeconds });
  }
}

/** The one per-user message budget that direct and group sends share, over WebSocket and HTTP alike. */
export const spendMessageBudget = (limiter: RateLimiter, budget: Budget, userId: string): Promise<void> =>
  spendBudget(limiter, `msg:${userId}`, budget, 'Too many messages; slow down');
