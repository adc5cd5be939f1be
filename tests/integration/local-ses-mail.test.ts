import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevCredentials, generateDevCredentials } from '../../local/dev-credentials.js';
import { type RunningHttpGateway, startHttpGateway } from '../../local/http-gateway.js';
import { createMailOutbox, type MailOutbox, withDevMail } from '../../local/mail-outbox.js';
import { type RunningSesApi, startSesApi } from '../../local/ses-api.js';
import { createSesMailer } from '../../shared/adapters/mail/ses-mailer.js';
import { MailNotSentError } from '../../shared/domain/mail/ports.js';

// Issue 12: `npm start` captures mail through a local SES v2 SendEmail that only obeys this run's dev key.
const REGION = 'eu-west-1';
const CREDENTIALS = generateDevCredentials();

const client = (ses: RunningSesApi, credentials: DevCredentials = CREDENTIALS) =>
  new SESv2Client({ endpoint: ses.endpoint, region: REGION, credentials, maxAttempts: 1 });

const sendEmail = (to: string, subject: string, html = '<p>hi</p>') =>
  new SendEmailCommand({
    FromEmailAddress: 'no-reply@localhost',
    Destination: { ToAddresses: [to] },
    Content: {
      Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'text' }, Html: { Data: html } } },
    },
  });

describe('local SES endpoint and /_dev/mail', () => {
  let outbox: MailOutbox;
  let ses: RunningSesApi;
  let http: RunningHttpGateway;

  beforeAll(async () => {
    outbox = createMailOutbox();
    ses = await startSesApi({ credentials: [CREDENTIALS], region: REGION, outbox });
    const api = async () => ({ statusCode: 404, body: '{"code":"not_found"}' });
    http = await startHttpGateway({ handler: withDevMail(api, outbox) });
  });

  afterAll(async () => {
    await Promise.all([ses?.close(), http?.close()]);
  });

  it('captures a SendEmail the unmodified SDK signs with the dev credentials', async () => {
    const sdk = client(ses);
    const answer = await sdk.send(sendEmail('ada@example.com', 'Welcome'));
    sdk.destroy();
    expect(answer.MessageId).toMatch(/^local-/);
    expect(outbox.list()[0]).toMatchObject({
      to: 'ada@example.com',
      subject: 'Welcome',
      text: 'text',
      html: '<p>hi</p>',
    });
  });

  it('refuses a request signed with another secret (403) and captures nothing', async () => {
    const before = outbox.list().length;
    const forged = client(ses, { ...CREDENTIALS, secretAccessKey: generateDevCredentials().secretAccessKey });
    const error = await forged.send(sendEmail('eve@example.com', 'Forged')).catch((e: unknown) => e);
    forged.destroy();
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    expect((error as Error).name).toBe('InvalidSignatureException');
    expect(outbox.list()).toHaveLength(before);
  });

  it('refuses an unsigned request (403)', async () => {
    const res = await fetch(`${ses.endpoint}/v2/email/outbound-emails`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(403);
    expect(outbox.list().some((mail) => mail.subject === '')).toBe(false);
  });

  it('is what the SES mailer adapter talks to under npm start; a refusal becomes MailNotSentError', async () => {
    const mailer = createSesMailer({ from: 'no-reply@localhost', region: REGION, endpoint: ses.endpoint });
    const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    try {
      await mailer.send({ to: 'bob@example.com', subject: 'Adapter', text: 't', html: '<b>h</b>' });
    } finally {
      process.env.AWS_ACCESS_KEY_ID = previous.id;
      process.env.AWS_SECRET_ACCESS_KEY = previous.secret;
      if (previous.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (previous.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(outbox.list()[0]).toMatchObject({ to: 'bob@example.com', subject: 'Adapter' });
    const stranger = createSesMailer({ from: 'x@localhost', region: 'us-east-1', endpoint: ses.endpoint });
    await expect(
      stranger.send({ to: 'bob@example.com', subject: 'Wrong region', text: '', html: '' }),
    ).rejects.toBeInstanceOf(MailNotSentError);
  });

  it('GET /_dev/mail answers JSON, newest first', async () => {
    const sdk = client(ses);
    await sdk.send(sendEmail('carol@example.com', 'First'));
    await sdk.send(sendEmail('carol@example.com', 'Second'));
    sdk.destroy();
    const res = await fetch(`${http.url}/_dev/mail`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const { messages } = (await res.json()) as {
      messages: { to: string; subject: string; sentAt: string }[];
    };
    const carol = messages.filter((mail) => mail.to === 'carol@example.com').map((mail) => mail.subject);
    expect(carol).toEqual(['Second', 'First']);
    expect(Object.keys(messages[0] ?? {}).sort()).toEqual(['html', 'sentAt', 'subject', 'text', 'to']);
    expect(Number.isNaN(Date.parse(messages[0]?.sentAt ?? ''))).toBe(false);
  });

  it('shows a page for Accept: text/html and at /_dev/mail/view, escaping every field', async () => {
    const sdk = client(ses);
    await sdk.send(
      sendEmail('mallory@example.com', '<script>alert(1)</script>', '<img src=x onerror=alert(2)>'),
    );
    sdk.destroy();
    for (const [path, accept] of [
      ['/_dev/mail', 'text/html,application/xhtml+xml'],
      ['/_dev/mail/view', '*/*'],
    ] as const) {
      const res = await fetch(`${http.url}${path}`, { headers: { accept } });
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const page = await res.text();
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;');
      expect(page).not.toContain('<script>');
      expect(page).not.toContain('<img');
    }
  });

  it('passes every other path and method on to the API', async () => {
    expect((await fetch(`${http.url}/_dev/mail`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${http.url}/me`)).status).toBe(404);
  });
});
