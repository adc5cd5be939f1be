import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Re-evaluates `probe` until it returns something other than undefined, failing after `timeoutMs`.
 * Use instead of fixed sleeps: fast when the condition holds early, bounded when it never does.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 5_000, intervalMs = 20, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Resolves once the wall clock has moved past `instantMs` (e.g. so a 0 s grace window has closed, or a TTL has
 * run out); `timeoutMs` counts from the instant, so a far instant waits as long as it must.
 */
export const clockPasses = (instantMs: number, timeoutMs = 1_000): Promise<true> =>
  pollUntil(() => (Date.now() > instantMs ? true : undefined), {
    timeoutMs: Math.max(0, instantMs - Date.now()) + timeoutMs,
    intervalMs: 1,
    what: `clock to pass ${instantMs}`,
  });

/** Wall time of one async call, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}
