import type { JWK } from 'jose';
import type { AuthDeps } from '../domain/auth/auth-deps.js';
import type { EmailVerificationPolicy, VerificationTokenStore } from '../domain/auth/email-verification.js';
import type { PasswordResetPolicy, ResetTokenStore } from '../domain/auth/password-reset.js';
import type { AccountEraser, User } from '../domain/auth/ports.js';
import type { Mailer } from '../domain/mail/ports.js';
import type { RealtimeDeps } from '../domain/realtime/realtime-deps.js';

/** A named dependency check for `GET /ready`; resolves when healthy, rejects otherwise. */
type ReadinessCheck = () => Promise<void>;

/** Everything `createApp` needs; built once per cold start in `shared/composition/http-deps.ts`. */
export interface AppDeps extends AuthDeps, Omit<RealtimeDeps, keyof AuthDeps> {
  /** Erases a deleted account's Redis state (`DELETE /me`). */
  accounts: AccountEraser;
  publicJwks: JWK[];
  readiness: Record<string, ReadinessCheck>;
  logError: (message: string, details: Record<string, unknown>) => void;
  /** Outgoing mail (password reset, email verification). */
  mailer: Mailer;
  /** The web client's URL: the base of the links in mails (shared/domain/mail/messages.ts). */
  webUrl: string;
  /** Single-use email-verification tokens (registration, `POST /auth/email/verify` and `/resend`). */
  verificationTokens: VerificationTokenStore;
  emailVerification: EmailVerificationPolicy;
  /** Single-use password-reset tokens (`POST /auth/password/forgot` and `/reset`). */
  resetTokens: ResetTokenStore;
  passwordReset: PasswordResetPolicy;
  /** Waits; `forgot` pads its answer to a fixed floor with it. */
  pause: (ms: number) => Promise<void>;
  http: {
    cookieSecure: boolean;
    allowedOrigins: string[];
    maxBodyBytes: number;
    /** Proves a request came through the Router (shared/http/client-ip.ts); never logged. */
    originVerifySecret?: string | undefined;
    /** Send Strict-Transport-Security on every response (deployed stages, which are HTTPS only). */
    hsts: boolean;
  };
}

export const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  displayName: user.displayName,
  createdAt: user.createdAt.toISOString(),
  emailVerified: user.emailVerified,
});
