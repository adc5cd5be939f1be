import { randomBytes } from 'node:crypto';
import type {
  EmailVerificationDeps,
  VerificationTokenStore,
} from '../../shared/domain/auth/email-verification.js';
import type { Clock } from '../../shared/domain/clock.js';
import type { Mailer, MailMessage } from '../../shared/domain/mail/ports.js';
import type { FakeAuth } from './fakes-auth-ports.js';

/** Records every mail; `failWith` makes the next sends throw it. */
class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  failWith: Error | undefined;

  async send(message: MailMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
  }
}

/** Tokens in memory, expiring by the fake clock, each redeemed once (like GETDEL). */
class FakeVerificationTokenStore implements VerificationTokenStore {
  readonly live = new Map<string, { userId: string; expiresAtMs: number }>();

  constructor(private readonly clock: Clock) {}

  async issue(userId: string, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    this.live.set(token, { userId, expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000 });
    return token;
  }

  async consume(token: string): Promise<string | null> {
    const entry = this.live.get(token);
    this.live.delete(token);
    return entry && this.clock.nowMs() < entry.expiresAtMs ? entry.userId : null;
  }
}

export const TEST_WEB_URL = 'https://chat.example.test';

/** The token in a verification mail's link (`…/#/verify-email?token=…`). */
export function tokenFromMail(mail: MailMessage | undefined): string {
  const match = mail?.text.match(/verify-email\?token=([A-Za-z0-9_%-]+)/);
  if (!match?.[1]) throw new Error('no verification link in the mail');
  return decodeURIComponent(match[1]);
}

/** FakeAuth's deps plus email verification's, sharing its clock and limiter. */
export function withEmailVerification(auth: FakeAuth) {
  const mailer = new RecordingMailer();
  const verificationTokens = new FakeVerificationTokenStore(auth.clock);
  const logged: { message: string; details: Record<string, unknown> }[] = [];
  const verification: EmailVerificationDeps = {
    verificationTokens,
    emailVerification: { tokenTtlSeconds: 24 * 3600, resendLimit: { limit: 3, windowSeconds: 900 } },
    mailer,
    webUrl: TEST_WEB_URL,
    logError: (message, details) => void logged.push({ message, details }),
  };
  return { deps: { ...auth.deps, ...verification }, mailer, verificationTokens, logged };
}
