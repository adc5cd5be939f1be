import type { Mailer } from '../mail/ports.js';

/**
 * Single-use password-reset tokens, stored only as a SHA-256 digest. A user has at most one live token:
 * issuing a new one makes the previous one fail, so only the newest mail works.
 */
export interface ResetTokenStore {
  /** A fresh 256-bit token for the user, valid `ttlSeconds`; the user's earlier token stops working. */
  issue(userId: string, ttlSeconds: number): Promise<string>;
  /** The user id, exactly once; null for a used, expired, superseded, malformed or unknown token. */
  consume(token: string): Promise<string | null>;
}

/** Token lifetime, `forgot` throttles and its response-time floor, from config. */
export interface PasswordResetPolicy {
  tokenTtlSeconds: number;
  /** Requests per (hashed) email per window. */
  emailLimit: number;
  /** Requests per source IP per window. */
  ipLimit: number;
  windowSeconds: number;
  /** `forgot` answers no sooner than this after it started, whether or not a mail went out. */
  minResponseMs: number;
}

/** What the reset flow needs beyond AuthDeps. */
export interface PasswordResetDeps {
  resetTokens: ResetTokenStore;
  passwordReset: PasswordResetPolicy;
  mailer: Mailer;
  /** The web client's URL, the base of the mailed link. */
  webUrl: string;
  /** Waits `ms` milliseconds (a timer in production, a fake clock in unit tests). */
  pause: (ms: number) => Promise<void>;
  logError: (message: string, details: Record<string, unknown>) => void;
}
