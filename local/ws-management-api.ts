import type { IncomingMessage } from 'node:http';
import { type AwsReply, awsError, awsRequestListener, readSignedBody } from './aws-endpoint.js';
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

const CONNECTION_ID = /^[A-Za-z0-9+/]{15}=$/;
const GONE = awsError(410, 'GoneException', 'Gone');
const FORBIDDEN = awsError(403, 'ForbiddenException', 'Forbidden');

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

async function route(options: ManagementApiOptions, req: IncomingMessage): Promise<AwsReply> {
  // Authenticated before routing, as API Gateway does: an unsigned caller learns nothing about paths or ids.
  const body = await readSignedBody(req, options.verify, options.maxPayloadBytes);
  if ('refused' in body) return body.refused;
  const segment = connectionSegment(req.url ?? '/', options.stage);
  if (segment === undefined || !['GET', 'POST', 'DELETE'].includes(req.method ?? '')) return FORBIDDEN;
  const connectionId = decodeSegment(segment);
  if (connectionId === undefined || !CONNECTION_ID.test(connectionId)) {
    return awsError(400, 'BadRequestException', `Invalid connectionId: ${connectionId ?? segment}`);
  }
  if (req.method === 'POST') {
    if (body.bytes === null) return awsError(413, 'PayloadTooLargeException', 'Request entity too large');
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
  return awsRequestListener((req) => route(options, req), {
    label: 'ws-gateway',
    internalErrorType: 'InternalServerErrorException',
  });
}
