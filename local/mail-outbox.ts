import { escapeHtml } from '../shared/domain/mail/messages.js';
import type { HttpApiEvent, HttpApiResult, HttpLambdaHandler } from './http-gateway.js';

/** A mail the local SES endpoint captured. */
export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** ISO 8601. */
  sentAt: string;
}

// Enough for any test run or afternoon of clicking; the oldest go first.
const MAX_MESSAGES = 500;
const MAIL_PATH = '/_dev/mail';
const VIEW_PATH = '/_dev/mail/view';

/** The in-memory outbox of `npm start`: everything the HTTP function "sent", newest first. */
export function createMailOutbox() {
  const messages: CapturedMail[] = [];
  return {
    add(mail: CapturedMail): void {
      messages.unshift(mail);
      messages.length = Math.min(messages.length, MAX_MESSAGES);
    },
    list: (): CapturedMail[] => [...messages],
  };
}

export type MailOutbox = ReturnType<typeof createMailOutbox>;

// The page runs nothing and loads nothing; a captured HTML body is shown as text (escaped), never rendered.
const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function page(messages: readonly CapturedMail[]): string {
  const items = messages.map(
    (mail) => `<article>
  <h2>${escapeHtml(mail.subject)}</h2>
  <p>To <b>${escapeHtml(mail.to)}</b> · <time>${escapeHtml(mail.sentAt)}</time></p>
  <pre>${escapeHtml(mail.text)}</pre>
  <details><summary>HTML source</summary><pre>${escapeHtml(mail.html)}</pre></details>
</article>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Captured mail (${messages.length})</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap}</style>
</head><body>
<h1>Captured mail</h1>
<p>Every mail <code>npm start</code> would have sent, newest first. JSON: <code>GET ${MAIL_PATH}</code>.</p>
${items.join('\n') || '<p>No mail yet.</p>'}
</body></html>
`;
}

// A browser's Accept names text/html; fetch, curl and the tests send */* or application/json and get JSON.
const wantsHtml = (event: HttpApiEvent): boolean => (event.headers.accept ?? '').includes('text/html');

function serve(event: HttpApiEvent, outbox: MailOutbox): HttpApiResult | undefined {
  if (event.rawPath !== MAIL_PATH && event.rawPath !== VIEW_PATH) return undefined;
  const messages = outbox.list();
  if (event.rawPath === VIEW_PATH || wantsHtml(event)) {
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': PAGE_POLICY,
        'x-content-type-options': 'nosniff',
        vary: 'accept',
      },
      body: page(messages),
    };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', vary: 'accept' },
    body: JSON.stringify({ messages }),
  };
}

/** The API handler with `/_dev/mail` (JSON, or a page for `Accept: text/html`) and `/_dev/mail/view` in front. */
export const withDevMail =
  (api: HttpLambdaHandler, outbox: MailOutbox): HttpLambdaHandler =>
  async (event, context) => {
    const { method } = event.requestContext.http;
    const answer = method === 'GET' || method === 'HEAD' ? serve(event, outbox) : undefined;
    return answer ?? api(event, context);
  };
