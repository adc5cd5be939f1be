import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loginWithCookies, randomEmail, refreshWithToken, registerAccount } from '../support/e2e-accounts.js';
import { bearer, call, expectProblem } from '../support/e2e-http.js';
import { type CapturedMail, latestMailTo, mailUrl } from '../support/e2e-mail.js';
import { closeAllSockets } from '../support/e2e-ws.js';
import { anotherDevice, chatUser, connectAs } from '../support/e2e-ws-chat.js';

const CLOSE_DEADLINE_MS = 5_000;
const RESET_SUBJECT = 'Reset your password';

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

/** The token of a mailed reset link: after `#`, as the web client reads it (never sent to a server by the browser). */
function tokenOf(mail: CapturedMail): string {
  const link = /https?:\/\/\S+/.exec(mail.text)?.[0] ?? '';
  const url = new URL(link);
  expect(url.search, 'the token rides in the fragment, not the query').toBe('');
  expect(url.hash).toMatch(/^#\/reset-password\?token=/);
  return new URLSearchParams(url.hash.slice(url.hash.indexOf('?') + 1)).get('token') ?? '';
}

async function forgotAndRead(email: string): Promise<string> {
  const since = new Date();
  const res = await call('/auth/password/forgot', { json: { email } });
  expect(res.status, await res.clone().text()).toBe(202);
  return tokenOf(await latestMailTo(email, { since, subject: RESET_SUBJECT }));
}

const resetWith = (token: string, newPassword: string) =>
  call('/auth/password/reset', { json: { token, newPassword } });

// Issue 12: the flows need the captured mail, which only `npm start` has (see tests/support/e2e-mail.ts).
describe.runIf(mailUrl())('forgot / reset password', () => {
  it('forgot → mail → reset → sign in with the new password; the old one no longer works', async () => {
    const account = await registerAccount();
    const newPassword = `reset ${randomUUID()}`;

    const token = await forgotAndRead(account.email);
    const res = await resetWith(token, newPassword);

    expect(res.status, await res.clone().text()).toBe(204);
    await expectProblem(
      await call('/auth/login', { json: { email: account.email, password: account.password } }),
      401,
      'invalid_credentials',
    );
    await loginWithCookies({ ...account, password: newPassword });
  });

  it('the reset link works once', async () => {
    const account = await registerAccount();
    const token = await forgotAndRead(account.email);

    expect((await resetWith(token, `first ${randomUUID()}`)).status).toBe(204);
    await expectProblem(await resetWith(token, `second ${randomUUID()}`), 400, 'invalid_token');
  });

  it('signs out every device and drops their sockets', async () => {
    const user = await chatUser();
    const other = await anotherDevice(user);
    const { jar } = await loginWithCookies(user.account);
    const sockets = [await connectAs(user, 'ticket', 'first'), await connectAs(other, 'bearer', 'second')];

    const token = await forgotAndRead(user.account.email);
    expect((await resetWith(token, `reset ${randomUUID()}`)).status).toBe(204);

    for (const socket of sockets) await socket.waitForClose(CLOSE_DEADLINE_MS);
    for (const device of [user, other]) {
      expect((await call('/me', { headers: bearer(device.accessToken) })).status).toBe(401);
      await expectProblem(await refreshWithToken(device.refreshToken), 401, 'unauthenticated');
    }
    expect((await call('/me', { jar })).status).toBe(401);
  });

  it('gives an unknown and a known email the identical forgot answer', async () => {
    const account = await registerAccount();
    const unknown = randomEmail();

    const known = await call('/auth/password/forgot', { json: { email: account.email } });
    const missing = await call('/auth/password/forgot', { json: { email: unknown } });

    const view = async (res: Response) => ({
      status: res.status,
      contentType: res.headers.get('content-type'),
      cacheControl: res.headers.get('cache-control'),
      retryAfter: res.headers.get('retry-after'),
      setCookie: res.headers.get('set-cookie'),
      body: await res.text(),
    });
    const [knownView, missingView] = [await view(known), await view(missing)];
    expect(knownView.status).toBe(202);
    expect(missingView).toEqual(knownView);
    await latestMailTo(account.email, { subject: RESET_SUBJECT });
    await expect(latestMailTo(unknown, { timeoutMs: 500 })).rejects.toThrow(/Timed out/);
  });

  it('refuses a made-up token and a malformed email with 400', async () => {
    await expectProblem(await resetWith('A'.repeat(43), `reset ${randomUUID()}`), 400, 'invalid_token');
    await expectProblem(
      await call('/auth/password/forgot', { json: { email: 'not an email' } }),
      400,
      'validation_failed',
    );
  });
});
