import { randomBytes } from 'node:crypto';
import type { PasswordResetDeps, ResetTokenStore } from '../../shared/domain/auth/password-reset.js';
import type { Clock } from '../../shared/domain/clock.js';
import type { MailMessage } from '../../shared/domain/mail/ports.js';
import type { FakeClock } from './fakes-auth-ports.js';

/** In memory, one live token per user, as the Redis store (held to the same contract). */
export class FakeResetTokenStore implements ResetTokenStore {
  private readonly tokens = new Map<string, { userId: string; expiresAtMs: number }>();
  private readonly newest = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  async issue(userId: string, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const previous = this.newest.get(userId);
    if (previous !== undefined) this.tokens.delete(previous);
    this.tokens.set(token, { userId, expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000 });
    this.newest.set(userId, token);
    return token;
  }

  async consume(token: string): Promise<string | null> {
    const stored = this.tokens.get(token);
    this.tokens.delete(token);
    if (!stored || stored.expiresAtMs <= this.clock.nowMs()) return null;
    if (this.newest.get(stored.userId) !== token) return null;
    this.newest.delete(stored.userId);
    return stored.userId;
  }
}

/** Records every mail; `failWith` makes the next sends reject. */
class RecordingMailer {
  readonly sent: MailMessage[] = [];
  failWith: Error | undefined;

  async send(message: MailMessage): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
  }
}

interface FakePasswordReset {
  deps: PasswordResetDeps;
  resetTokens: FakeResetTokenStore;
  mailer: RecordingMailer;
  logged: { message: string; details: Record<string, unknown> }[];
  /** Each pause, as the instant it ended at. */
  pausedUntil: number[];
}

/** The reset flow's own ports in memory; `pause` advances the fake clock instead of waiting. */
export function fakePasswordReset(
  clock: FakeClock,
  policy: Partial<PasswordResetDeps['passwordReset']> = {},
) {
  const resetTokens = new FakeResetTokenStore(clock);
  const mailer = new RecordingMailer();
  const logged: FakePasswordReset['logged'] = [];
  const pausedUntil: number[] = [];
  const deps: PasswordResetDeps = {
    resetTokens,
    mailer,
    webUrl: 'https://chat.example.com',
    passwordReset: {
      tokenTtlSeconds: 1800,
      emailLimit: 3,
      ipLimit: 20,
      windowSeconds: 3600,
      minResponseMs: 1000,
      ...policy,
    },
    pause: async (ms) => {
      clock.advanceTo(clock.nowMs() + ms);
      pausedUntil.push(clock.nowMs());
    },
    logError: (message, details) => logged.push({ message, details }),
  };
  return { deps, resetTokens, mailer, logged, pausedUntil } satisfies FakePasswordReset;
}
