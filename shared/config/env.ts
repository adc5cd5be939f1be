import * as z from 'zod/mini';
import {
  baseFields,
  bool,
  duration,
  int,
  parseEnv,
  postgresFields,
  realtimeFields,
  redisFields,
  tokenVerifyFields,
} from './fields.js';

/**
 * The HTTP function's environment (and `npm start`'s, which runs every function): the widest set.
 * `.env.example` lists the same keys; the other functions read subsets (realtime-env.ts, migrate-env.ts).
 */
const EnvSchema = z.object({
  ...baseFields,
  ...postgresFields,
  ...redisFields,
  ...tokenVerifyFields,
  ...realtimeFields,
  JWT_SIGNING_KEY: z.string().check(z.minLength(1, 'JWT_SIGNING_KEY is required (a private JWK as JSON)')),
  JWT_PREVIOUS_PUBLIC_KEYS: z._default(z.string(), '[]'),
  PASSWORD_PEPPER: z.string().check(z.minLength(32, 'PASSWORD_PEPPER must be at least 32 characters')),
  BCRYPT_COST: int(12, 4, 15),
  REFRESH_TOKEN_TTL_SECONDS: duration(30 * 24 * 3600),
  SESSION_ABSOLUTE_TTL_SECONDS: duration(90 * 24 * 3600),
  REFRESH_GRACE_SECONDS: int(10, 0, 60),
  // Failed logins per (account, source IP): slows a guesser without locking the owner out from elsewhere.
  LOGIN_ACCOUNT_IP_LIMIT: int(10),
  // Account-wide ceiling across every IP (a distributed guesser); much higher than the per-IP bucket.
  LOGIN_ACCOUNT_LIMIT: int(100),
  LOGIN_IP_LIMIT: int(100),
  LOGIN_WINDOW_SECONDS: duration(15 * 60),
  REGISTER_IP_LIMIT: int(30),
  REGISTER_WINDOW_SECONDS: duration(3600),
  // Password reset: the mailed token's lifetime, `forgot` throttles per hashed email and per source IP, and the
  // floor under every `forgot` answer (above SES's usual latency, so a sent mail does not show in the timing).
  PASSWORD_RESET_TTL_SECONDS: duration(30 * 60),
  PASSWORD_RESET_EMAIL_LIMIT: int(3),
  PASSWORD_RESET_IP_LIMIT: int(20),
  PASSWORD_RESET_WINDOW_SECONDS: duration(3600),
  PASSWORD_RESET_MIN_RESPONSE_MS: int(1000, 0, 10_000),
  // Email verification: the mailed token's lifetime, and resends per user per window.
  EMAIL_VERIFY_TTL_SECONDS: duration(24 * 3600),
  EMAIL_VERIFY_RESEND_LIMIT: int(3),
  EMAIL_VERIFY_RESEND_WINDOW_SECONDS: duration(15 * 60),
  COOKIE_SECURE: bool(true),
  MAX_BODY_BYTES: int(16 * 1024),
  // Set on AWS (stacks/secrets.ts): requests carrying it in `x-origin-verify` came through the Router, whose
  // `x-viewer-address` is then the client IP for the per-IP limits. Unset: the gateway source IP, always.
  ORIGIN_VERIFY_SECRET: z.optional(
    z.string().check(z.minLength(32, 'ORIGIN_VERIFY_SECRET must be at least 32 characters')),
  ),
  // The web client's URL, the base of every link in a mail; unset: webUrlOf below.
  WEB_URL: z.optional(z.url()),
  // `From:` of every mail, an address of the SES identity (AWS: the Mail link, stacks/mail.ts).
  MAIL_FROM: z._default(z.string().check(z.minLength(3)), 'no-reply@localhost'),
  // Unset on AWS (SES's regional endpoint); `npm start` sets the emulator's capturing SendEmail endpoint.
  SES_ENDPOINT: z.optional(z.url()),
});

export type Env = z.infer<typeof EnvSchema>;

/** Links in mails point here: WEB_URL, else the first allowed origin (on AWS the site, functions/resource-env.ts). */
export const webUrlOf = (env: Env): string =>
  env.WEB_URL ?? env.ALLOWED_ORIGINS[0] ?? 'http://localhost:3000';

/** Parses the HTTP function's environment once per cold start. */
export const loadEnv = (source: Record<string, string | undefined> = process.env): Env =>
  parseEnv(EnvSchema, source);
