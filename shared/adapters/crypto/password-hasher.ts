import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { PasswordHasher } from '../../domain/auth/ports.js';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A syntactically valid hash at the configured cost: comparing against it costs exactly one real verify,
 * and building it costs nothing at cold start (no bcrypt run).
 */
function dummyHash(cost: number): string {
  const chars = Array.from(randomBytes(53), (byte) => BCRYPT_ALPHABET[byte % 64]).join('');
  // The last salt character may only encode the top two bits (".Oeu"), or bcryptjs rejects the salt.
  const salt = `${chars.slice(0, 21)}${'.Oeu'[(randomBytes(1)[0] ?? 0) % 4]}`;
  return `$2b$${String(cost).padStart(2, '0')}$${salt}${chars.slice(22)}`;
}

/**
 * bcrypt reads only 72 bytes, so the password is first NFC-normalised and pre-hashed with HMAC-SHA-384
 * under a server-side pepper (OWASP Password Storage): 64 base64 characters, never truncated.
 */
export function createPasswordHasher(options: { pepper: string; cost: number }): PasswordHasher {
  const prehash = (password: string): string =>
    createHmac('sha384', options.pepper).update(password.normalize('NFC'), 'utf8').digest('base64');
  const burnTarget = dummyHash(options.cost);
  return {
    hash: (password) => bcrypt.hash(prehash(password), options.cost),
    verify: (password, hash) => bcrypt.compare(prehash(password), hash),
    async burn(password) {
      await bcrypt.compare(prehash(password), burnTarget);
    },
  };
}
