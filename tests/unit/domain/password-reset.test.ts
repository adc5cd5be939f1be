import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../../shared/domain/auth/auth-deps.js';
import { logIn } from '../../../shared/domain/auth/log-in.js';
import { DECOY_USER_ID, requestPasswordReset } from '../../../shared/domain/auth/request-password-reset.js';
import { resetPassword } from '../../../shared/domain/auth/reset-password.js';
import { AppError } from '../../../shared/domain/errors.js';
import { MailNotSentError } from '../../../shared/domain/mail/ports.js';
import { fakeAuth } from '../../support/fakes-auth-ports.js';
import { fakePasswordReset } from '../../support/fakes-password-reset.js';

const ORIGIN: RequestOrigin = { ip: '203.0.113.9', userAgent: 'vitest' };
const EMAIL = 'noor@example.com';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another long passphrase';

async function setup(policy: Parameters<typeof fakePasswordReset>[1] = {}) {
  const auth = fakeAuth();
  const reset = fakePasswordReset(auth.clock, policy);
  const user = await auth.users.create({
    email: EMAIL,
    passwordHash: `fake-hash:${PASSWORD}`,
    displayName: 'Noor',
  });
  return { auth, reset, user, deps: { ...auth.deps, ...reset.deps } };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

/** The mailed token: the link's `token` parameter, after the `#`. */
function tokenOf(text: string): string {
  const link = /https:\/\/\S+/.exec(text)?.[0] ?? '';
  const fragment = new URL(link).hash;
  return new URLSearchParams(fragment.slice(fragment.indexOf('?') + 1)).get('token') ?? '';
}

/** Every call to a store port, in order, so two runs can be compared for the work they did. */
function countingPorts(deps: Awaited<ReturnType<typeof setup>>['deps'], calls: string[]) {
  const wrap = <T extends object>(name: string, port: T): T =>
    new Proxy(port, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`);
          return value.apply(target, args);
        };
      },
    });
  return {
    ...deps,
    limiter: wrap('limiter', deps.limiter),
    users: wrap('users', deps.users),
    resetTokens: wrap('resetTokens', deps.resetTokens),
    sessions: wrap('sessions', deps.sessions),
    passwords: wrap('passwords', deps.passwords),
  };
}

describe('requestPasswordReset', () => {
  it('mails the account a link to the web client whose token (after #) redeems once for the user', async () => {
    const { reset, user, deps } = await setup();

    await requestPasswordReset(deps, { email: '  Noor@Example.com ' }, ORIGIN);

    expect(reset.mailer.sent).toHaveLength(1);
    const [mail] = reset.mailer.sent;
    expect(mail?.to).toBe(EMAIL);
    expect(mail?.text).toContain('https://chat.example.com/#/reset-password?token=');
    expect(mail?.text).toContain('30 minutes');
    const token = tokenOf(mail?.text ?? '');
    expect(await reset.resetTokens.consume(token)).toBe(user.id);
  });

  it('does the same store work for an unknown email as for an account, and sends no mail', async () => {
    const known = await setup();
    const unknown = await setup();
    const knownCalls: string[] = [];
    const unknownCalls: string[] = [];

    await requestPasswordReset(countingPorts(known.deps, knownCalls), { email: EMAIL }, ORIGIN);
    await requestPasswordReset(
      countingPorts(unknown.deps, unknownCalls),
      { email: 'nobody@example.com' },
      ORIGIN,
    );

    expect(knownCalls).toEqual(['limiter.hit', 'limiter.hit', 'users.findByEmail', 'resetTokens.issue']);
    expect(unknownCalls).toEqual(knownCalls);
    expect(known.reset.mailer.sent).toHaveLength(1);
    expect(unknown.reset.mailer.sent).toHaveLength(0);
  });

  it('answers both paths at the same instant: it pads to the response floor', async () => {
    const known = await setup();
    const unknown = await setup();
    const startedAt = known.auth.clock.nowMs();
    expect(unknown.auth.clock.nowMs()).toBe(startedAt);

    await requestPasswordReset(known.deps, { email: EMAIL }, ORIGIN);
    await requestPasswordReset(unknown.deps, { email: 'nobody@example.com' }, ORIGIN);

    expect(known.reset.pausedUntil).toEqual([startedAt + 1000]);
    expect(unknown.reset.pausedUntil).toEqual([startedAt + 1000]);
  });

  it('issues the unknown email a decoy token that redeems to no account', async () => {
    const { auth, deps } = await setup();
    const issued: string[] = [];
    const resetTokens = {
      issue: async (userId: string, ttl: number) => {
        issued.push(userId);
        return deps.resetTokens.issue(userId, ttl);
      },
      consume: (token: string) => deps.resetTokens.consume(token),
    };

    await requestPasswordReset({ ...deps, resetTokens }, { email: 'nobody@example.com' }, ORIGIN);
    const decoy = await deps.resetTokens.issue(DECOY_USER_ID, 60);

    expect(issued).toEqual([DECOY_USER_ID]);
    expect(await codeOf(resetPassword(deps, { token: decoy, newPassword: NEW_PASSWORD }))).toBe(
      'invalid_token',
    );
    expect(auth.passwords.hashed).toEqual([]);
  });

  it('answers the same when the mail fails, and logs why without the address', async () => {
    const { reset, deps } = await setup();
    reset.mailer.failWith = new MailNotSentError(true);

    await expect(requestPasswordReset(deps, { email: EMAIL }, ORIGIN)).resolves.toBeUndefined();

    expect(reset.logged).toEqual([
      {
        message: 'password reset mail not sent',
        details: { code: 'dependency_unavailable', retryable: true },
      },
    ]);
    expect(JSON.stringify(reset.logged)).not.toContain(EMAIL);
  });

  it('refuses a malformed email with validation_failed before counting anything', async () => {
    const { auth, deps } = await setup();

    expect(await codeOf(requestPasswordReset(deps, { email: 'not-an-email' }, ORIGIN))).toBe(
      'validation_failed',
    );
    expect(auth.limiter.hits).toEqual([]);
  });

  it('throttles per email (hashed key) with rate_limited and a retry-after', async () => {
    const { deps } = await setup({ emailLimit: 2 });
    const from = (ip: string) => ({ ...ORIGIN, ip });

    await requestPasswordReset(deps, { email: EMAIL }, from('198.51.100.1'));
    await requestPasswordReset(deps, { email: EMAIL }, from('198.51.100.2'));
    const third = requestPasswordReset(deps, { email: EMAIL }, from('198.51.100.3'));

    await expect(third).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await codeOf(requestPasswordReset(deps, { email: 'other@example.com' }, ORIGIN))).toBe('resolved');
  });

  it('throttles per source IP across emails, and an unknown email counts like an account', async () => {
    const { deps } = await setup({ ipLimit: 2 });

    await requestPasswordReset(deps, { email: 'a@example.com' }, ORIGIN);
    await requestPasswordReset(deps, { email: EMAIL }, ORIGIN);

    expect(await codeOf(requestPasswordReset(deps, { email: 'b@example.com' }, ORIGIN))).toBe('rate_limited');
    expect(await codeOf(requestPasswordReset(deps, { email: EMAIL }, { ...ORIGIN, ip: '192.0.2.1' }))).toBe(
      'resolved',
    );
  });
});

describe('resetPassword', () => {
  async function mailedToken(context: Awaited<ReturnType<typeof setup>>): Promise<string> {
    await requestPasswordReset(context.deps, { email: EMAIL }, ORIGIN);
    return tokenOf(context.reset.mailer.sent.at(-1)?.text ?? '');
  }

  it('stores the new hash, revokes every session and closes every socket of the user', async () => {
    const context = await setup();
    const { auth, deps, user } = context;
    const first = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
    const second = await logIn(auth.deps, { email: EMAIL, password: PASSWORD }, ORIGIN);
    const token = await mailedToken(context);

    await resetPassword(deps, { token, newPassword: NEW_PASSWORD });

    expect((await auth.users.findByEmail(EMAIL))?.passwordHash).toBe(`fake-hash:${NEW_PASSWORD}`);
    expect(await auth.sessions.findActive(user.id, first.sessionId)).toBeNull();
    expect(await auth.sessions.findActive(user.id, second.sessionId)).toBeNull();
    expect(auth.sockets.closed).toEqual([{ userId: user.id, sessionId: undefined }]);
    expect(await codeOf(logIn(auth.deps, { email: EMAIL, password: NEW_PASSWORD }, ORIGIN))).toBe('resolved');
  });

  it('works once: the same token again is invalid_token', async () => {
    const context = await setup();
    const token = await mailedToken(context);

    await resetPassword(context.deps, { token, newPassword: NEW_PASSWORD });

    expect(await codeOf(resetPassword(context.deps, { token, newPassword: 'a third passphrase' }))).toBe(
      'invalid_token',
    );
  });

  it('refuses an expired token (after 30 minutes) and one replaced by a newer mail', async () => {
    const context = await setup();
    const replaced = await mailedToken(context);
    const newest = await mailedToken(context);
    context.auth.clock.advanceSeconds(30 * 60);

    expect(await codeOf(resetPassword(context.deps, { token: replaced, newPassword: NEW_PASSWORD }))).toBe(
      'invalid_token',
    );
    expect(await codeOf(resetPassword(context.deps, { token: newest, newPassword: NEW_PASSWORD }))).toBe(
      'invalid_token',
    );
  });

  it('refuses an unknown token with invalid_token and hashes nothing', async () => {
    const { auth, deps } = await setup();

    for (const token of ['', 'x', 'A'.repeat(43)]) {
      expect(await codeOf(resetPassword(deps, { token, newPassword: NEW_PASSWORD }))).toBe('invalid_token');
    }
    expect(auth.passwords.hashed).toEqual([]);
  });

  it('checks the password policy first: a weak password is validation_failed and the token still works', async () => {
    const context = await setup();
    const token = await mailedToken(context);

    const weak = await codeOf(resetPassword(context.deps, { token, newPassword: 'short' }));

    expect(weak).toBe('validation_failed');
    expect(await codeOf(resetPassword(context.deps, { token, newPassword: NEW_PASSWORD }))).toBe('resolved');
  });

  it('answers invalid_token when the account was deleted after the mail', async () => {
    const context = await setup();
    const token = await mailedToken(context);
    await context.auth.users.delete(context.user.id);

    expect(await codeOf(resetPassword(context.deps, { token, newPassword: NEW_PASSWORD }))).toBe(
      'invalid_token',
    );
  });
});
