import type { FakeClock } from '../fakes-auth-ports.js';
import { clockPasses } from '../poll.js';

/**
 * The time a store lives by, for contract suites: a fake's clock, or the wall clock Redis expires keys by.
 * `passes` returns once `instantMs` lies in the store's past, by advancing the fake clock or by waiting.
 */
export interface StoreTime {
  nowMs(): number;
  passes(instantMs: number): Promise<void>;
}

export const wallTime: StoreTime = {
  nowMs: () => Date.now(),
  // Redis compares expiries with its own clock (the same host clock), so being 1 ms past is enough.
  passes: async (instantMs) => {
    await clockPasses(instantMs + 1);
  },
};

export const fakeTime = (clock: FakeClock): StoreTime => ({
  nowMs: () => clock.nowMs(),
  passes: async (instantMs) => clock.advanceTo(instantMs + 1),
});
