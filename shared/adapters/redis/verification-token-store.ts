import { createHash, randomBytes } from 'node:crypto';
import type { VerificationTokenStore } from '../../domain/auth/email-verification.js';
import type { RedisClient } from './client.js';
import { orUnavailable } from './scripts.js';

// Looked up by the token alone (a single-key GETDEL), so the key carries no hash tag. Only the digest is
// stored: a Redis dump or MONITOR never shows a usable link.
export const verificationTokenKey = (digest: string): string => `email-verify:${digest}`;

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 256-bit random tokens → user id, with a TTL, redeemed with GETDEL: atomic, so a link works exactly once. */
export function createVerificationTokenStore(redis: RedisClient): VerificationTokenStore {
  return {
    async issue(userId, ttlSeconds) {
      const token = randomBytes(32).toString('base64url');
      await orUnavailable(redis.set(verificationTokenKey(digest(token)), userId, 'EX', ttlSeconds));
      return token;
    },
    async consume(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const userId = await orUnavailable(redis.getdel(verificationTokenKey(digest(token))));
      return userId && UUID.test(userId) ? userId : null;
    },
  };
}
