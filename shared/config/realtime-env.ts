import * as z from 'zod/mini';
import { baseFields, parseEnv, realtimeFields, redisFields, tokenVerifyFields } from './fields.js';

/**
 * The WebSocket functions' environment: Redis, the management API and the budgets. No database, no pepper,
 * no private key: `$connect` verifies tokens with public keys only (JWT_PUBLIC_KEYS, a JSON array of JWKs).
 */
const RealtimeEnvSchema = z.object({
  ...baseFields,
  ...redisFields,
  ...tokenVerifyFields,
  ...realtimeFields,
  JWT_PUBLIC_KEYS: z._default(z.string(), '[]'),
});

export type RealtimeEnv = z.infer<typeof RealtimeEnvSchema>;

export const loadRealtimeEnv = (source: Record<string, string | undefined> = process.env): RealtimeEnv =>
  parseEnv(RealtimeEnvSchema, source);
