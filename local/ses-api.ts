import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsReply, awsError, awsRequestListener, readSignedBody } from './aws-endpoint.js';
import type { DevCredentials } from './dev-credentials.js';
import type { MailOutbox } from './mail-outbox.js';
import { createSigV4Verifier, type SigV4Verifier } from './sigv4-verifier.js';

/**
 * A local Amazon SES v2 `SendEmail` (POST /v2/email/outbound-emails) for `npm start`: the HTTP function's
 * unmodified SDK client posts here (SES_ENDPOINT), signed with this run's dev credentials, and every mail is
 * captured in the outbox instead of sent (GET /_dev/mail shows it). Like the emulator's management API, it
 * refuses any request whose SigV4 signature (service `ses`) does not verify, so nobody else who can reach the
 * port can plant mail.
 */
export interface SesApiOptions {
  credentials: readonly DevCredentials[];
  region: string;
  outbox: MailOutbox;
  host?: string;
  /** Default 0: a free port (SES_ENDPOINT is set from it before the handler loads). */
  port?: number;
}

export interface RunningSesApi {
  endpoint: string;
  close(): Promise<void>;
}

// SES v2 accepts up to 40 MB; these mails are a few KiB.
const MAX_BODY_BYTES = 1024 * 1024;
const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

const text = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { Data?: unknown }).Data === 'string'
    ? (value as { Data: string }).Data
    : undefined;
const addresses = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

interface SendEmailBody {
  Destination?: { ToAddresses?: unknown; CcAddresses?: unknown; BccAddresses?: unknown };
  Content?: { Simple?: { Subject?: unknown; Body?: { Text?: unknown; Html?: unknown } } };
}

function capture(bytes: Buffer, outbox: MailOutbox): AwsReply {
  let parsed: SendEmailBody;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as SendEmailBody;
  } catch {
    return awsError(400, 'BadRequestException', 'Invalid JSON');
  }
  const { Destination: to = {}, Content: content } = parsed ?? {};
  const recipients = [to.ToAddresses, to.CcAddresses, to.BccAddresses].flatMap(addresses);
  const simple = content?.Simple;
  const subject = text(simple?.Subject);
  if (recipients.length === 0 || !simple || subject === undefined) {
    return awsError(
      400,
      'BadRequestException',
      'Only Simple content with a subject and recipients is emulated',
    );
  }
  const sentAt = new Date().toISOString();
  for (const recipient of recipients) {
    outbox.add({
      to: recipient,
      subject,
      text: text(simple.Body?.Text) ?? '',
      html: text(simple.Body?.Html) ?? '',
      sentAt,
    });
  }
  return { status: 200, body: { MessageId: `local-${randomUUID()}` } };
}

async function route(verify: SigV4Verifier, outbox: MailOutbox, req: IncomingMessage): Promise<AwsReply> {
  const body = await readSignedBody(req, verify, MAX_BODY_BYTES);
  if ('refused' in body) return body.refused;
  if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== SEND_EMAIL_PATH) {
    return awsError(404, 'NotFoundException', 'Only SendEmail is emulated');
  }
  if (body.bytes === null) return awsError(413, 'BadRequestException', 'Request entity too large');
  return capture(body.bytes, outbox);
}

/** The SendEmail endpoint as a request listener. */
function createSesApi(options: Omit<SesApiOptions, 'host' | 'port'>) {
  const verify = createSigV4Verifier({
    credentials: options.credentials,
    region: options.region,
    service: 'ses',
  });
  return awsRequestListener((req) => route(verify, options.outbox, req), {
    label: 'ses',
    internalErrorType: 'InternalServiceErrorException',
  });
}

/** Starts the local SES endpoint on its own port (loopback by default). */
export async function startSesApi(options: SesApiOptions): Promise<RunningSesApi> {
  const server = createServer(createSesApi(options));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    endpoint: `http://${authority}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
