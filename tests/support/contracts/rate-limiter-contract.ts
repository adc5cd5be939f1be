import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../../shared/domain/auth/ports.js';
import { pollUntil } from '../poll.js';
import type { StoreTime } from './store-time.js';

/** A RateLimiter to hold to the contract, with the time its windows run on. */
export interface RateLimiterSubject {
  limiter: RateLimiter;
  time: StoreTime;
  close(): Promise<void>;
}

const bucket = (label: string): string => `${label}:${randomUUID()}`;

/** Fixed-window counting, as every RateLimiter must do it: the fake and the Redis adapter alike. */
export function rateLimiterContract(label: string, open: () => Promise<RateLimiterSubject>): void {
  describe(`RateLimiter contract: ${label}`, () => {
    let subject: RateLimiterSubject;
    let limiter: RateLimiter;

    beforeAll(async () => {
      subject = await open();
      limiter = subject.limiter;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    it('allows up to the limit, then refuses with a Retry-After inside the window', async () => {
      const name = bucket('basic');
      for (let i = 0; i < 3; i++) expect(await limiter.hit(name, 3, 60)).toEqual({ allowed: true });

      const refused = await limiter.hit(name, 3, 60);

      expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
      const { retryAfterSeconds } = refused as { retryAfterSeconds: number };
      expect(Number.isInteger(retryAfterSeconds)).toBe(true);
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    });

    it('counts each bucket on its own', async () => {
      const [first, second] = [bucket('apart'), bucket('apart')];
      await limiter.hit(first, 1, 60);

      expect((await limiter.hit(first, 1, 60)).allowed).toBe(false);
      expect(await limiter.hit(second, 1, 60)).toEqual({ allowed: true });
    });

    it('admits exactly the limit when many hits arrive at once', async () => {
      const buckets = Array.from({ length: 4 }, () => bucket('burst'));

      const decisions = await Promise.all(
        buckets.flatMap((name) =>
          Array.from({ length: 40 }, () => limiter.hit(name, 10, 60).then((d) => [name, d] as const)),
        ),
      );

      for (const name of buckets) {
        const mine = decisions.filter(([owner]) => owner === name).map(([, decision]) => decision);
        expect(mine.filter((decision) => decision.allowed)).toHaveLength(10);
        expect(mine.filter((decision) => !decision.allowed)).toHaveLength(30);
      }
    });

    it('admits again once the window has passed, however often it was hit meanwhile', async () => {
      const name = bucket('window');
      const started = subject.time.nowMs();
      await limiter.hit(name, 1, 1);
      expect(await limiter.hit(name, 1, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });

      await subject.time.passes(started + 500);
      expect((await limiter.hit(name, 1, 1)).allowed).toBe(false);
      await subject.time.passes(started + 1_000);

      // A fixed window: refused hits never extend it, so polling with hits must get through.
      const admitted = await pollUntil(
        async () => {
          const decision = await limiter.hit(name, 1, 1);
          return decision.allowed ? decision : undefined;
        },
        { timeoutMs: 2_000, intervalMs: 50, what: 'the window to pass' },
      );
      expect(admitted).toEqual({ allowed: true });
    });

    it('reset clears a bucket, and resetting an unused bucket is harmless', async () => {
      const name = bucket('reset');
      await limiter.hit(name, 1, 60);
      expect((await limiter.hit(name, 1, 60)).allowed).toBe(false);

      await limiter.reset(name);
      await limiter.reset(bucket('never-hit'));

      expect(await limiter.hit(name, 1, 60)).toEqual({ allowed: true });
    });
  });
}
