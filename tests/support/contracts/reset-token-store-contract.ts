import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResetTokenStore } from '../../../shared/domain/auth/password-reset.js';
import type { StoreTime } from './store-time.js';

/** A ResetTokenStore to hold to the contract, with the time its tokens expire by. */
export interface ResetTokenStoreSubject {
  store: ResetTokenStore;
  time: StoreTime;
  close(): Promise<void>;
}

/** Single-use password-reset tokens, one live token per user, as every ResetTokenStore must keep them. */
export function resetTokenStoreContract(label: string, open: () => Promise<ResetTokenStoreSubject>): void {
  describe(`ResetTokenStore contract: ${label}`, () => {
    let subject: ResetTokenStoreSubject;
    let store: ResetTokenStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    it('issues a 256-bit base64url token that redeems once for its user', async () => {
      const userId = randomUUID();
      const token = await store.issue(userId, 60);

      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await store.consume(token)).toBe(userId);
      expect(await store.consume(token)).toBeNull();
    });

    it('grants exactly one of 20 concurrent redemptions of the same token', async () => {
      const userId = randomUUID();
      const token = await store.issue(userId, 60);

      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.consume(token)));

      expect(outcomes.filter((outcome) => outcome !== null)).toEqual([userId]);
    });

    it('makes the older token of a user fail once a newer one is issued', async () => {
      const userId = randomUUID();
      const older = await store.issue(userId, 60);
      const newer = await store.issue(userId, 60);

      expect(await store.consume(older)).toBeNull();
      expect(await store.consume(newer)).toBe(userId);
    });

    it('keeps the tokens of different users apart', async () => {
      const [alice, bob] = [randomUUID(), randomUUID()];
      const aliceToken = await store.issue(alice, 60);
      const bobToken = await store.issue(bob, 60);

      expect(await store.consume(bobToken)).toBe(bob);
      expect(await store.consume(aliceToken)).toBe(alice);
    });

    it('gives nothing for a token it never issued', async () => {
      await store.issue(randomUUID(), 60);

      expect(await store.consume(randomBytes(32).toString('base64url'))).toBeNull();
      expect(await store.consume('')).toBeNull();
      expect(await store.consume('not a token')).toBeNull();
    });

    it('refuses a token once its ttl has passed', async () => {
      const token = await store.issue(randomUUID(), 1);
      const issuedBy = subject.time.nowMs();

      await subject.time.passes(issuedBy + 1_000);

      expect(await store.consume(token)).toBeNull();
    });
  });
}
