import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextRetryDelayMs } from '../../../shared/domain/backoff.js';

const POLICY = { baseMs: 1_000, capMs: 15_000, budgetMs: 120_000 };
const low = () => 0;
const high = () => 1;

describe('backoff with equal jitter', () => {
  it('doubles the ceiling per attempt and keeps each wait in its upper half', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, POLICY, low))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, POLICY, high))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    for (const attempt of [4, 5, 10, 60]) {
      expect(backoffDelayMs(attempt, POLICY, high)).toBe(15_000);
      expect(backoffDelayMs(attempt, POLICY, low)).toBe(7_500);
    }
  });

  it('spreads concurrent retriers: different random draws give different waits', () => {
    const draws = [0.1, 0.5, 0.9].map((r) => backoffDelayMs(3, POLICY, () => r));
    expect(new Set(draws).size).toBe(3);
  });
});

describe('retry budget', () => {
  it('stops retrying once the next wait would end past the budget', () => {
    expect(nextRetryDelayMs(0, 0, POLICY, high)).toBe(1_000);
    expect(nextRetryDelayMs(5, 105_000, POLICY, high)).toBe(15_000);
    expect(nextRetryDelayMs(5, 105_001, POLICY, high)).toBeUndefined();
  });

  it('fits every wait of a run that always fails inside the budget', () => {
    let elapsed = 0;
    let attempts = 0;
    for (;;) {
      const delay = nextRetryDelayMs(attempts, elapsed, POLICY, high);
      if (delay === undefined) break;
      elapsed += delay;
      attempts++;
    }
    expect(elapsed).toBeLessThanOrEqual(POLICY.budgetMs);
    // 1+2+4+8 s, then 15 s waits: 11 retries in two minutes, not hundreds of hammering ones.
    expect(attempts).toBe(11);
  });
});
