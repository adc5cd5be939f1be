import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { importJWK, type JWK, jwtVerify } from 'jose';
import type { RedisClient } from '../shared/adapters/redis/client.js';
import type { Sampler } from './stats.js';

/**
 * Reference operations, measured in the same run and interleaved with the figures they anchor: the floor
 * each endpoint cannot beat on this machine.
 */

/** One bcryptjs compare at `cost`, on a 64-character input like the app's HMAC-SHA-384 pre-hash. */
export async function bcryptCompare(cost: number): Promise<Sampler> {
  const input = randomBytes(48).toString('base64');
  const hash = await bcrypt.hash(input, cost);
  return async () => {
    if (!(await bcrypt.compare(input, hash))) throw new Error('reference bcrypt compare failed');
  };
}

/** One Redis GET round trip on the given client (the app's own connection, same options). */
export async function redisGet(redis: RedisClient, key: string): Promise<Sampler> {
  await redis.set(key, JSON.stringify({ reference: true, padding: 'x'.repeat(120) }), 'EX', 3600);
  return async () => {
    if ((await redis.get(key)) === null) throw new Error('reference GET returned nothing');
  };
}

/** One jose `jwtVerify` of an access token with an imported (cached) public key and pinned claims. */
export async function joseVerify(
  publicJwk: JWK,
  token: string,
  claims: { issuer: string; audience: string; typ: string },
): Promise<Sampler> {
  const algorithm = publicJwk.alg ?? 'EdDSA';
  const key = await importJWK(publicJwk, algorithm);
  return async () => {
    await jwtVerify(token, key, { algorithms: [algorithm], ...claims });
  };
}
