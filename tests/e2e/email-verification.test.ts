import { describe, expect, it } from 'vitest';
import {
  loginWithCookies,
  loginWithTokens,
  registerAccount,
  UserEnvelopeSchema,
} from '../support/e2e-accounts.js';
import { bearer, call, expectProblem, readJson } from '../support/e2e-http.js';
import { type CapturedMail, latestMailTo, mailUrl } from '../support/e2e-mail.js';

const SUBJECT = 'Confirm your email address';

/** The token after `#/verify-email?token=` in the mailed link (a fragment: it never reaches a server log). */
function tokenIn(mail: CapturedMail): string {
  const match = mail.text.match(/\/#\/verify-email\?token=([A-Za-z0-9_%-]+)/);
  if (!match?.[1]) throw new Error('no verification link in the mail');
  return decodeURIComponent(match[1]);
}

const verify = (token: string) => call('/auth/email/verify', { json: { token } });

describe.runIf(mailUrl())('email verification through the captured mail', () => {
  it('registers, verifies from the mailed link once, and GET /me shows emailVerified', async () => {
    const account = await registerAccount();
    expect(account.user.emailVerified).toBe(false);
    const mail = await latestMailTo(account.email, { subject: SUBJECT });
    const { accessToken } = await loginWithTokens(account);

    expect((await verify(tokenIn(mail))).status).toBe(204);

    const me = await readJson(await call('/me', { headers: bearer(accessToken) }), UserEnvelopeSchema);
    expect(me.user).toMatchObject({ id: account.user.id, emailVerified: true });
    await expectProblem(await verify(tokenIn(mail)), 400, 'invalid_token');
  });

  it('resends a fresh link from a browser session; the fresh link verifies', async () => {
    const account = await registerAccount();
    const first = await latestMailTo(account.email, { subject: SUBJECT });
    const { jar } = await loginWithCookies(account);
    const since = new Date();

    expect((await call('/auth/email/verify/resend', { method: 'POST', jar })).status).toBe(202);

    const fresh = await latestMailTo(account.email, { subject: SUBJECT, since });
    expect(tokenIn(fresh)).not.toBe(tokenIn(first));
    expect((await verify(tokenIn(fresh))).status).toBe(204);
    const me = await readJson(await call('/me', { jar }), UserEnvelopeSchema);
    expect(me.user.emailVerified).toBe(true);
  });
});
