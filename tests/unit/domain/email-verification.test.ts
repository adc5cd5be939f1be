import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { resendVerification, verifyEmail } from '../../../shared/domain/auth/email-verification.js';
import { logIn } from '../../../shared/domain/auth/log-in.js';
import { registerUser } from '../../../shared/domain/auth/register-user.js';
import { searchPeople } from '../../../shared/domain/chat/search-people.js';
import { MailNotSentError } from '../../../shared/domain/mail/ports.js';
import { fakeAuth } from '../../support/fakes-auth-ports.js';
import {
  TEST_WEB_URL,
  tokenFromMail,
  withEmailVerification,
} from '../../support/fakes-email-verification.js';

const ORIGIN: RequestOrigin = { ip: '198.51.100.4', userAgent: 'vitest' };
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  displayName: 'Ada Lovelace',
};

async function registered() {
  const auth = fakeAuth();
  const verification = withEmailVerification(auth);
  const user = await registerUser(verification.deps, ADA, ORIGIN);
  return { auth, ...verification, user };
}

describe('email verification', () => {
  it('mails a verification link to the new address at registration; the account starts unverified', async () => {
    const { mailer, user } = await registered();

    expect(user.emailVerified).toBe(false);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'ada@example.com', subject: 'Confirm your email address' });
    const token = tokenFromMail(mailer.sent[0]);
    expect(mailer.sent[0]?.text).toContain(`${TEST_WEB_URL}/#/verify-email?token=${token}`);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('still registers when the mail fails, and logs it without the address or the token', async () => {
    const auth = fakeAuth();
    const verification = withEmailVerification(auth);
    verification.mailer.failWith = new MailNotSentError(false);

    const user = await registerUser(verification.deps, ADA, ORIGIN);

    expect(auth.users.byEmail.get(ADA.email)?.id).toBe(user.id);
    expect(verification.logged).toEqual([
      {
        message: 'verification mail not sent',
        details: { code: 'dependency_unavailable', retryable: false },
      },
    ]);
  });

  it('marks the user and every live session verified, once per token', async () => {
    const { auth, deps, mailer, user } = await registered();
    const session = await logIn(auth.deps, { email: ADA.email, password: ADA.password }, ORIGIN);
    const token = tokenFromMail(mailer.sent[0]);

    await verifyEmail(deps, { token });

    expect((await auth.users.findById(user.id))?.emailVerified).toBe(true);
    const active = await auth.sessions.findActive(user.id, session.sessionId);
    expect(active?.user.emailVerified).toBe(true);
    await expect(verifyEmail(deps, { token })).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('refuses unknown and expired tokens, and a token of a deleted account', async () => {
    const { auth, deps, mailer, user } = await registered();
    await expect(verifyEmail(deps, { token: 'x'.repeat(43) })).rejects.toMatchObject({
      code: 'invalid_token',
    });

    auth.clock.advanceSeconds(24 * 3600);
    await expect(verifyEmail(deps, { token: tokenFromMail(mailer.sent[0]) })).rejects.toMatchObject({
      code: 'invalid_token',
    });

    auth.clock.advanceSeconds(-24 * 3600);
    await resendVerification(deps, user.id);
    await auth.users.delete(user.id);
    await expect(verifyEmail(deps, { token: tokenFromMail(mailer.sent[1]) })).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('resends a fresh link; both links verify until used', async () => {
    const { deps, mailer, user } = await registered();

    await resendVerification(deps, user.id);

    expect(mailer.sent).toHaveLength(2);
    const [first, second] = [tokenFromMail(mailer.sent[0]), tokenFromMail(mailer.sent[1])];
    expect(second).not.toBe(first);
    await verifyEmail(deps, { token: second });
  });

  it('sends nothing to an already verified address, and answers all the same', async () => {
    const { deps, mailer, user } = await registered();
    await verifyEmail(deps, { token: tokenFromMail(mailer.sent[0]) });

    await resendVerification(deps, user.id);

    expect(mailer.sent).toHaveLength(1);
  });

  it('throttles resends per user with a wait', async () => {
    const { deps, mailer, user } = await registered();
    for (let i = 0; i < 3; i++) await resendVerification(deps, user.id);

    const error = await resendVerification(deps, user.id).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'rate_limited' });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(mailer.sent).toHaveLength(4);
  });

  it('finds an unverified account by display name but not by its email; once verified, by both', async () => {
    const { auth, deps, mailer, user } = await registered();
    const search = (query: string) =>
      searchPeople(
        { users: auth.users, limiter: auth.limiter, searchLimit: { limit: 100, windowSeconds: 60 } },
        { userId: 'someone-else', query },
      );

    expect(await search('ada@example.com')).toEqual([]);
    expect(await search('Ada')).toEqual([{ id: user.id, displayName: 'Ada Lovelace' }]);

    await verifyEmail(deps, { token: tokenFromMail(mailer.sent[0]) });

    expect(await search(' ADA@example.com ')).toEqual([{ id: user.id, displayName: 'Ada Lovelace' }]);
  });
});
