import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigV4Verifier } from './sigv4-verifier.js';
import type { ManagedConnection } from './ws-gateway-types.js';

export interface ManagementApiOptions {
  stage: string;
  maxPayloadBytes: number;
  /** Checks the request's SigV4 signature; every call must pass it, as with IAM auth on AWS. */
  verify: SigV4Verifier;
  /** A connection that can still receive data, or undefined (unknown, closing or closed). */
  find(connectionId: string): ManagedConnection | undefined;
}

interface Reply {
  status: number;
  errorType?: string;
  body?: unknown;
}

// Bodies larger than this are not even drained; the socket is dropped instead.
const DRAIN_LIMIT_BYTES = 10 * 1024 * 1024;
const CONNECTION_ID = /^[A-Za-z0-9+/]{15}=$/;
// The SDK recognises errors by the x-amzn-errortype header; without it a 410 is just "UnknownError".
const error = (status: number, errorType: string, message: string): Reply => ({
  status,
  errorType,
  body: { message },
});
const GONE = error(410, 'GoneException', 'Gone');
const FORBIDDEN = error(403, 'ForbiddenException', 'Forbidden');

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Extracts the raw {id} segment of /{stage}/@connections/{id} (the SDK sends `@` literally, awscurl `%40`). */
function connectionSegment(url: string, stage: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const [empty, stageSegment, resource, id, ...rest] = path.split('/');
  if (empty !== '' || rest.length > 0 || id === undefined) return undefined;
  if (decodeSegment(stageSegment ?? '') !== stage) return undefined;
  return decodeSegment(resource ?? '') === '@connections' ? id : undefined;
}

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

async function route(options: ManagementApiOptions, req: IncomingMessage): Promise<Reply> {
  if (req.headers.authorization === undefined) {
    return error(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  // Authenticate before routing, as API Gateway does: an unsigned caller learns nothing about paths or ids.
  const body = await readBody(req, options.maxPayloadBytes);
  const failure = await options.verify({
    method: req.method ?? '',
    url: req.url ?? '/',
    headers: req.headersDistinct,
    bodySha256: body.sha256,
  });
  if (failure) return error(403, failure.errorType, failure.message);
  const segment = connectionSegment(req.url ?? '/', options.stage);
  if (segment === undefined || !['GET', 'POST', 'DELETE'].includes(req.method ?? '')) return FORBIDDEN;
  const connectionId = decodeSegment(segment);
  if (connectionId === undefined || !CONNECTION_ID.test(connectionId)) {
    return error(400, 'BadRequestException', `Invalid connectionId: ${connectionId ?? segment}`);
  }
  if (req.method === 'POST') {
    if (body.bytes === null) return error(413, 'PayloadTooLargeException', 'Request entity too large');
    return options.find(connectionId)?.send(body.bytes) ? { status: 200 } : GONE;
  }
  const connection = options.find(connectionId);
  if (!connection) return GONE;
  if (req.method === 'DELETE') {
    connection.disconnect();
    return { status: 204 };
  }
  const details = {
    connectedAt: new Date(connection.connectedAt).toISOString(),
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
  };
  return { status: 200, body: details };
}

/** The @connections management API (PostToConnection, GetConnection, DeleteConnection). */
export function createManagementApi(options: ManagementApiOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (reply: Reply): void => {
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
    route(options, req).then(send, (failure: unknown) => {
      console.error(`[ws-gateway] management request failed: ${String(failure)}`);
      if (res.headersSent) res.destroy();
      else send(error(500, 'InternalServerErrorException', 'Internal server error'));
    });
  };
}
