import { AppError } from '../errors.js';

/** One outgoing mail: plain text plus a simple HTML alternative of the same content. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Hands a mail to the provider (SES when deployed, the emulator's capture under `npm start`). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * A mail the provider did not accept. The client only ever sees a generic 503: why it failed (a rejected
 * address, an unverified sender, throttling) is logged by the adapter, never echoed. Flows that must answer the
 * same whether or not a mail went out (forgot password) catch it.
 */
export class MailNotSentError extends AppError {
  /** True when trying again later may succeed (throttling, a timeout, a 5xx). */
  readonly isRetryable: boolean;

  constructor(isRetryable: boolean, cause?: unknown) {
    super('dependency_unavailable', 'The mail could not be sent', { retryAfterSeconds: 1, cause });
    this.name = 'MailNotSentError';
    this.isRetryable = isRetryable;
  }
}
