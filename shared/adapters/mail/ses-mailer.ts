import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { type Mailer, type MailMessage, MailNotSentError } from '../../domain/mail/ports.js';

export interface SesMailerOptions {
  /** `From:` of every mail: an address (or `Name <address>`) of an SES identity verified for this account. */
  from: string;
  region: string;
  /** Unset on AWS (SES's regional endpoint); `npm start` points it at the emulator's capture. */
  endpoint?: string | undefined;
  /** Establishing the connection (default 1 s). */
  connectTimeoutMs?: number;
  /** The whole request, connecting included (default 3 s). */
  requestTimeoutMs?: number;
  /** Why a mail was not sent; the recipient is never logged, only its domain. */
  onError?: (message: string, details: Record<string, unknown>) => void;
}

const MAIL_LIMITS = { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000 } as const;

type SdkModule = typeof import('@aws-sdk/client-sesv2');

// Final answers: the message, its sender or the account is refused; sending it again cannot help.
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
  'AccessDeniedException',
]);

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const nameOf = (error: unknown): string => (error instanceof Error ? error.name : 'UnknownError');
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).replace(/>$/, '');

/**
 * Amazon SES v2 behind the Mailer port. The SDK is imported on first send, so the routes that never mail pay
 * nothing for it at cold start (as the management API client in apigw/push-gateway.ts). Each send is one
 * attempt, bounded by connect and request timeouts: mail goes out inside a request, and a retry is the
 * user's (resend) or the caller's decision. Every failure becomes a MailNotSentError; the reason goes to the log.
 */
export function createSesMailer(options: SesMailerOptions): Mailer {
  let loaded: Promise<{ sdk: SdkModule; client: SESv2Client }> | undefined;
  const load = () => {
    loaded ??= import('@aws-sdk/client-sesv2').then((sdk) => ({
      sdk,
      client: new sdk.SESv2Client({
        region: options.region,
        ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: options.connectTimeoutMs ?? MAIL_LIMITS.connectTimeoutMs,
          requestTimeout: options.requestTimeoutMs ?? MAIL_LIMITS.requestTimeoutMs,
          throwOnRequestTimeout: true,
        },
      }),
    }));
    return loaded;
  };

  return {
    async send(message: MailMessage) {
      const { sdk, client } = await load();
      const command = new sdk.SendEmailCommand({
        FromEmailAddress: options.from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        },
      });
      try {
        await client.send(command);
      } catch (error) {
        const name = nameOf(error);
        const status = statusOf(error);
        const isRetryable = !PERMANENT.has(name) && (status === undefined || status === 429 || status >= 500);
        options.onError?.('mail not sent', {
          error: name,
          status,
          retryable: isRetryable,
          recipientDomain: domainOf(message.to),
        });
        throw new MailNotSentError(isRetryable, error);
      }
    },
  };
}
