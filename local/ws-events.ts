import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { awsId, clfTime, safeDecode } from './aws-formats.js';
import { runInvocation } from './invocation-scope.js';
import { createLambdaContext } from './lambda-context.js';

import type {
  WebSocketEvent,
  WebSocketEventType,
  WebSocketRequestContext,
  WsLambdaHandler,
} from './ws-gateway-types.js';

/** Per-connection facts that every event of that connection repeats. */
export interface ConnectionInfo {
  connectionId: string;
  connectedAt: number;
  domainName: string;
  stage: string;
  sourceIp: string;
  userAgent: string;
}

export type InvokeOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

// API Gateway strips the hop-by-hop upgrade headers before building the $connect event.
const DROPPED_HEADERS = new Set(['connection', 'upgrade']);
const TIMED_OUT = Symbol('timed out');

const peerAddress = (req: IncomingMessage): string =>
  (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/** Header names keep the client's casing; repeated names (any casing) merge under the first spelling. */
class HeaderBag {
  private readonly names = new Map<string, string>();
  readonly multi: Record<string, string[]> = {};

  add(name: string, value: string): void {
    const key = this.names.get(name.toLowerCase()) ?? name;
    this.names.set(name.toLowerCase(), key);
    this.multi[key] = [...(this.multi[key] ?? []), value];
  }

  set(name: string, value: string): void {
    const key = this.names.get(name.toLowerCase()) ?? name;
    this.names.set(name.toLowerCase(), key);
    this.multi[key] = [value];
  }

  get(name: string): string | undefined {
    const key = this.names.get(name.toLowerCase());
    return key === undefined ? undefined : this.multi[key]?.join(',');
  }

  single(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.multi).map(([name, values]) => [name, values.join(',')]));
  }
}

function connectHeaders(req: IncomingMessage, port: number): HeaderBag {
  const bag = new HeaderBag();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (!DROPPED_HEADERS.has(name.toLowerCase())) bag.add(name, req.rawHeaders[i + 1] ?? '');
  }
  const sourceIp = peerAddress(req);
  // Like the HTTP API, a client-sent X-Forwarded-For is kept and the TCP peer appended.
  const xff = bag.get('x-forwarded-for');
  bag.set('X-Forwarded-For', xff === undefined ? sourceIp : `${xff}, ${sourceIp}`);
  if (bag.get('x-forwarded-port') === undefined) bag.add('X-Forwarded-Port', String(port));
  if (bag.get('x-forwarded-proto') === undefined) bag.add('X-Forwarded-Proto', 'http');
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  bag.add('X-Amzn-Trace-Id', `Root=1-${epoch}-${randomBytes(12).toString('hex')}`);
  return bag;
}

// Payload format 1.0: queryStringParameters keeps the LAST value of a repeated key, the multi map keeps all.
function queryParams(
  rawQuery: string,
): Pick<WebSocketEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'> {
  const multi: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    multi[key] = [...(multi[key] ?? []), eq < 0 ? '' : safeDecode(pair.slice(eq + 1))];
  }
  if (Object.keys(multi).length === 0) return {};
  const single = Object.fromEntries(Object.entries(multi).map(([key, values]) => [key, values.at(-1) ?? '']));
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

export function connectionInfo(req: IncomingMessage, stage: string, connectionId: string): ConnectionInfo {
  const userAgent = req.headers['user-agent'] ?? '';
  return {
    connectionId,
    connectedAt: Date.now(),
    domainName: req.headers.host ?? '',
    stage,
    sourceIp: peerAddress(req),
    userAgent,
  };
}

function requestContext(info: ConnectionInfo, routeKey: string, eventType: WebSocketEventType) {
  const now = new Date();
  const requestId = awsId();
  const context: WebSocketRequestContext = {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: clfTime(now),
    messageDirection: 'IN',
    stage: info.stage,
    connectedAt: info.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: info.sourceIp, userAgent: info.userAgent },
    requestId,
    domainName: info.domainName,
    connectionId: info.connectionId,
    apiId: 'local',
  };
  return context;
}

export function connectEvent(req: IncomingMessage, info: ConnectionInfo, port: number): WebSocketEvent {
  const bag = connectHeaders(req, port);
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  return {
    headers: bag.single(),
    multiValueHeaders: bag.multi,
    ...(queryAt >= 0 && queryParams(url.slice(queryAt + 1))),
    requestContext: requestContext(info, '$connect', 'CONNECT'),
    isBase64Encoded: false,
  };
}

export function messageEvent(info: ConnectionInfo, routeKey: string, body: string): WebSocketEvent {
  const context = requestContext(info, routeKey, 'MESSAGE');
  return { requestContext: { ...context, messageId: awsId() }, body, isBase64Encoded: false };
}

export function disconnectEvent(info: ConnectionInfo, code: number, reason: string): WebSocketEvent {
  // AWS sends this fixed header stub on $disconnect, not the handshake headers.
  const headers = { Host: info.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  const context = requestContext(info, '$disconnect', 'DISCONNECT');
  return {
    headers,
    multiValueHeaders,
    requestContext: { ...context, disconnectStatusCode: code, disconnectReason: reason },
    isBase64Encoded: false,
  };
}

/** Runs a handler with the integration timeout; the result is JSON round-tripped as Lambda would. */
export async function invoke(handler: WsLambdaHandler, event: WebSocketEvent, timeoutMs: number) {
  const routeKey = event.requestContext.routeKey;
  const functionName = `local-ws-${routeKey.replace(/[^A-Za-z0-9-_]/g, '') || 'route'}`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const context = createLambdaContext(functionName, Date.now() + timeoutMs);
    const run = Promise.resolve().then(() =>
      runInvocation(context.awsRequestId, () => handler(event, context)),
    );
    const result = await Promise.race([run, timeout]);
    if (result === TIMED_OUT) return fail(event, `timed out after ${timeoutMs} ms`);
    const outcome: InvokeOutcome = { ok: true, value: JSON.parse(JSON.stringify(result ?? null)) };
    return outcome;
  } catch (error) {
    return fail(event, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    clearTimeout(timer);
  }
}

function fail(event: WebSocketEvent, reason: string): InvokeOutcome {
  const { routeKey, requestId } = event.requestContext;
  console.error(`[ws-gateway] ${requestId} ${routeKey} handler failed: ${reason.replace(/\s+/g, ' ')}`);
  return { ok: false, reason };
}
