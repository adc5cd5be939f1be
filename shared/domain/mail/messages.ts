import type { MailMessage } from './ports.js';

/**
 * Where the web client reads a mailed token: a fragment on its root page, so the token reaches neither the
 * server, CDN logs nor a Referer header, and any static host serves the page without a rewrite rule.
 */
export const MAIL_LINK_ROUTES = {
  resetPassword: '/#/reset-password',
  verifyEmail: '/#/verify-email',
} as const;

interface LinkMail {
  to: string;
  /** The web client's origin (and base path, if any), e.g. `https://chat.example.com`. */
  webUrl: string;
  token: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** `webUrl` + route + `?token=`, the token percent-encoded; a trailing slash on webUrl is not doubled. */
export function mailLink(webUrl: string, route: string, token: string): string {
  const base = new URL(webUrl);
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  return `${root}${route}?token=${encodeURIComponent(token)}`;
}

function linkMail(to: string, subject: string, lines: readonly string[], action: string, link: string) {
  const text = [...lines, '', `${action}: ${link}`, ''].join('\n');
  const paragraphs = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body>
${paragraphs}
<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>
<p>${escapeHtml(link)}</p>
</body></html>
`;
  return { to, subject, text, html } satisfies MailMessage;
}

/** The mail `POST /auth/password/forgot` sends: a single-use reset link. */
export function passwordResetMail({ to, webUrl, token, ttlMinutes }: LinkMail & { ttlMinutes: number }) {
  return linkMail(
    to,
    'Reset your password',
    [
      'Someone asked to reset the password of your account.',
      `The link below works once, for ${ttlMinutes} minutes. If it was not you, ignore this mail: your password stays as it is.`,
    ],
    'Reset password',
    mailLink(webUrl, MAIL_LINK_ROUTES.resetPassword, token),
  );
}

/** The mail registration (and `POST /auth/email/verify/resend`) sends: proves the address is the user's. */
export function emailVerificationMail({
  to,
  webUrl,
  token,
  displayName,
}: LinkMail & { displayName: string }) {
  return linkMail(
    to,
    'Confirm your email address',
    [
      `Hello ${displayName},`,
      'Please confirm that this address is yours. If you did not create an account, ignore this mail.',
    ],
    'Confirm email address',
    mailLink(webUrl, MAIL_LINK_ROUTES.verifyEmail, token),
  );
}
