import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ManagedConnection } from './ws-gateway-types.js';

export interface ManagementApiOptions {
  stage: string;
  maxPayloadBytes: number;
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

/** Reads the body; null when it exceeds maxBytes (the rest is drained so the client can read the 413). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > DRAIN_LIMIT_BYTES) req.destroy();
    });
    req.once('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function route(options: ManagementApiOptions, req: IncomingMessage): Promise<Reply> {
  const authorization = req.headers.authorization ?? '';
  // Real @connections calls need a SigV4 signature; only its presence is checked, not its validity.
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) {
    return error(403, 'ForbiddenException', 'Missing Authentication Token');
  }
  const segment = connectionSegment(req.url ?? '/', options.stage);
  if (segment === undefined || !['GET', 'POST', 'DELETE'].includes(req.method ?? '')) return FORBIDDEN;
  const connectionId = decodeSegment(segment);
  if (connectionId === undefined || !CONNECTION_ID.test(connectionId)) {
    return error(400, 'BadRequestException', `Invalid connectionId: ${connectionId ?? segment}`);
  }
  if (req.method === 'POST') {
    const body = await readBody(req, options.maxPayloadBytes);
    if (body === null) return error(413, 'PayloadTooLargeException', 'Request entity too large');
    return options.find(connectionId)?.send(body) ? { status: 200 } : GONE;
  }
  const connection = options.find(connectionId);
  if (!connection) return GONE;
  if (req.method === 'DELETE') {
    connection.disconnect();
    return { status: 204 };
  }
  const body = {
    connectedAt: new Date(connection.connectedAt).toISOString(),
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
  };
  return { status: 200, body };
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
