/**
 * Reads the mail `npm start` captured instead of sending (`GET /_dev/mail`, local/mail-outbox.ts), for the e2e
 * suite. Only the local system has it: against LocalStack or a deployed stage `mailUrl` is empty unless
 * `MAIL_URL` points at some equivalent, and the flows that need mail skip there.
 */
import { inject } from 'vitest';
import type { CapturedMail } from '../../local/mail-outbox.js';
import { pollUntil } from './poll.js';

export type { CapturedMail };

/** The base URL serving `/_dev/mail`, or '' when the target under test captures no mail. */
export const mailUrl = (): string => inject('mailUrl');

/** Every captured mail, newest first. */
export async function capturedMail(): Promise<CapturedMail[]> {
  const base = mailUrl();
  if (!base) throw new Error('No captured mail on this target: run against npm start or set MAIL_URL');
  const res = await fetch(`${base}/_dev/mail`, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`GET /_dev/mail answered ${res.status}`);
  return ((await res.json()) as { messages: CapturedMail[] }).messages;
}

/**
 * The newest mail to `email` (compared case-insensitively) sent at or after `since` (default: any time), polling
 * until it arrives or `timeoutMs` passes. Pass `since` (e.g. `new Date()` before the request) to skip older mail.
 */
export function latestMailTo(
  email: string,
  { since, subject, timeoutMs = 5_000 }: { since?: Date; subject?: string | RegExp; timeoutMs?: number } = {},
): Promise<CapturedMail> {
  const wanted = email.trim().toLowerCase();
  const matches = (mail: CapturedMail): boolean =>
    mail.to.toLowerCase() === wanted &&
    (since === undefined || Date.parse(mail.sentAt) >= since.getTime() - 1_000) &&
    (subject === undefined ||
      (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject)));
  return pollUntil(async () => (await capturedMail()).find(matches), {
    timeoutMs,
    intervalMs: 100,
    what: `a mail to ${email}`,
  });
}
