/** How long to keep retrying a dependency that is not there yet, and how the waits between attempts grow. */
export interface BackoffPolicy {
  /** The first wait's ceiling; each later one doubles it. */
  baseMs: number;
  /** No single wait is longer than this. */
  capMs: number;
  /** Total time (attempts and waits) after which the caller gives up. */
  budgetMs: number;
}

/**
 * The wait before retry number `attempt` (0 = after the first failure): exponential, capped, with "equal
 * jitter" (half fixed, half random) so a fleet of retrying clients spreads out yet each still backs off.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The wait before the next attempt, or undefined when waiting would end past the budget: the caller then
 * reports its last error instead of retrying.
 */
export function nextRetryDelayMs(
  attempt: number,
  elapsedMs: number,
  policy: BackoffPolicy,
  random: () => number,
): number | undefined {
  const delay = backoffDelayMs(attempt, policy, random);
  return elapsedMs + delay > policy.budgetMs ? undefined : delay;
}
