import { expect } from 'vitest';
import type { CapturedMail } from '../../../local/mail-outbox.js';

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
