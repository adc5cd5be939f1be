import { expect } from 'vitest';

interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/**
 * The newest mail `npm start` captured for `to` (`GET /_dev/mail`, newest first) sent at or after `since`,
 * polling until it arrives.
 */
export async function mailTo(
  baseUrl: string,
  to: string,
  subject: RegExp,
  since: Date,
): Promise<CapturedMail> {
  let found: CapturedMail | undefined;
  await expect
    .poll(
      async () => {
        const res = await fetch(`${baseUrl}/_dev/mail`, { headers: { accept: 'application/json' } });
        expect(res.status).toBe(200);
        const { messages } = (await res.json()) as { messages: CapturedMail[] };
        found = messages.find(
          (mail) =>
            mail.to.toLowerCase() === to.toLowerCase() &&
            subject.test(mail.subject) &&
            Date.parse(mail.sentAt) >= since.getTime() - 1_000,
        );
        return found !== undefined;
      },
      { timeout: 10_000, interval: 100, message: `a mail to ${to} matching ${subject}` },
    )
    .toBe(true);
  if (!found) throw new Error('unreachable');
  return found;
}

/** The web-client link of a mail (`…/#/reset-password?token=…`, `…/#/verify-email?token=…`). */
export function linkIn(mail: CapturedMail, route: '/#/reset-password' | '/#/verify-email'): string {
  const escaped = route.replace(/[.*+?^${}()|[\]\\/#]/g, '\\$&');
  const link = new RegExp(`https?://\\S+${escaped}\\?token=[^\\s"<]+`).exec(mail.text)?.[0];
  expect(link, mail.text).toBeDefined();
  return link ?? '';
}

/**
 * Whether the server under test answers a route at all: a 404 means the endpoint is not there yet (issue 12's
 * account-recovery routes landed separately from the web client). Any other status — 202, 400, even a 500 —
 * means it exists, and the tests that need it run (and fail if it misbehaves).
 */
export async function routeExists(baseUrl: string, path: string, body: unknown): Promise<boolean> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status !== 404;
}
