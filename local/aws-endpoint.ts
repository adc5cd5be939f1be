import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigV4Verifier } from './sigv4-verifier.js';

/**
 * What the local AWS endpoints (the @connections management API, SES SendEmail) share: SigV4 before routing,
 * a bounded body read, and replies the SDK parses as AWS's.
 */
export interface AwsReply {
  status: number;
  errorType?: string;
  body?: unknown;
}

// The SDK recognises errors by the x-amzn-errortype header; without it a 410 is just "UnknownError".
export const awsError = (status: number, errorType: string, message: string): AwsReply => ({
  status,
  errorType,
  body: { message },
});

// Bodies larger than this are not even drained; the socket is dropped instead.
const DRAIN_LIMIT_BYTES = 10 * 1024 * 1024;

interface ReceivedBody {
  /** Null when the body exceeds maxBytes (the rest is drained so the client can read the 413). */
  bytes: Buffer | null;
  /** Hex SHA-256 of the whole body, oversized or not: the signature covers it either way. */
  sha256: string;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      hash.update(chunk);
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > DRAIN_LIMIT_BYTES) req.destroy();
    });
    req.once('end', () =>
      resolve({ bytes: size > maxBytes ? null : Buffer.concat(chunks), sha256: hash.digest('hex') }),
    );
    req.once('error', reject);
  });
}

/**
 * Reads the body and verifies the request's signature, as AWS does before routing: an unsigned or badly signed
 * caller gets the 403 to send and learns nothing about paths or ids. `bytes` is null when the body is too large.
 */
export async function readSignedBody(
  req: IncomingMessage,
  verify: SigV4Verifier,
  maxBytes: number,
): Promise<{ bytes: Buffer | null } | { refused: AwsReply }> {
  if (req.headers.authorization === undefined) {
    return { refused: awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token') };
  }
  const body = await readBody(req, maxBytes);
  const failure = await verify({
    method: req.method ?? '',
    url: req.url ?? '/',
    headers: req.headersDistinct,
    bodySha256: body.sha256,
  });
  return failure ? { refused: awsError(403, failure.errorType, failure.message) } : { bytes: body.bytes };
}

/** A request listener answering with `route`'s reply; a route that throws is a 500 of `internalErrorType`. */
export function awsRequestListener(
  route: (req: IncomingMessage) => Promise<AwsReply>,
  { label, internalErrorType }: { label: string; internalErrorType: string },
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (reply: AwsReply): void => {
      const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.statusCode = reply.status;
      res.setHeader('x-amzn-RequestId', randomUUID());
      if (reply.errorType) res.setHeader('x-amzn-ErrorType', reply.errorType);
      if (reply.status !== 204) {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Content-Length', Buffer.byteLength(payload));
      }
      res.end(reply.status === 204 ? undefined : payload);
    };
    route(req).then(send, (failure: unknown) => {
      console.error(`[${label}] request failed: ${String(failure)}`);
      if (res.headersSent) res.destroy();
      else send(awsError(500, internalErrorType, 'Internal server error'));
    });
  };
}
