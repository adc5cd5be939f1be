import { SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSesMailer } from '../../../shared/adapters/mail/ses-mailer.js';
import { MailNotSentError } from '../../../shared/domain/mail/ports.js';
import { toAppError } from '../../../shared/http/problem.js';

const ses = mockClient(SESv2Client);
const MESSAGE = { to: 'ada@example.com', subject: 'Hi', text: 'plain', html: '<p>html</p>' };

const serviceError = (name: string, status: number) =>
  new SESv2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

function mailer() {
  const logged: Record<string, unknown>[] = [];
  const instance = createSesMailer({
    from: 'Chat <no-reply@example.com>',
    region: 'eu-west-1',
    onError: (_message, details) => logged.push(details),
  });
  return { instance, logged };
}

afterEach(() => ses.reset());

describe('SES mailer', () => {
  it('sends one SendEmail with the sender, the recipient, UTF-8 subject, text and HTML', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await mailer().instance.send(MESSAGE);
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        FromEmailAddress: 'Chat <no-reply@example.com>',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Hi', Charset: 'UTF-8' },
            Body: {
              Text: { Data: 'plain', Charset: 'UTF-8' },
              Html: { Data: '<p>html</p>', Charset: 'UTF-8' },
            },
          },
        },
      },
    ]);
  });

  it.each([
    ['MessageRejected', 400, false],
    ['MailFromDomainNotVerifiedException', 400, false],
    ['SendingPausedException', 400, false],
    ['TooManyRequestsException', 429, true],
    ['InternalServiceErrorException', 500, true],
  ])('maps %s (%i) to a MailNotSentError (retryable: %s) and logs why', async (name, status, retryable) => {
    ses.on(SendEmailCommand).rejects(serviceError(name, status));
    const { instance, logged } = mailer();
    const error = await instance.send(MESSAGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailNotSentError);
    expect((error as MailNotSentError).isRetryable).toBe(retryable);
    expect(logged).toEqual([{ error: name, status, retryable, recipientDomain: 'example.com' }]);
  });

  it('treats a network failure or timeout as retryable', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const error = await mailer()
      .instance.send(MESSAGE)
      .catch((e: unknown) => e);
    expect((error as MailNotSentError).isRetryable).toBe(true);
  });

  it('tells the client nothing of the reason: a generic 503 problem, never the recipient or SES message', async () => {
    ses.on(SendEmailCommand).rejects(serviceError('MessageRejected', 400));
    const error = await mailer()
      .instance.send(MESSAGE)
      .catch((e: unknown) => e);
    const problem = toAppError(error);
    expect(problem.code).toBe('dependency_unavailable');
    expect(problem.message).toBe('The mail could not be sent');
    expect(JSON.stringify({ message: problem.message, details: problem.details })).not.toMatch(
      /ada|Rejected/,
    );
  });
});
