import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { awsId, clfTime, safeDecode } from './aws-formats.js';
import { runInvocation } from './invocation-scope.js';
import { createLambdaContext, type LambdaContext } from './lambda-context.js';

export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface HttpApiResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export type HttpLambdaHandler = (event: HttpApiEvent, context: LambdaContext) => Promise<unknown>;

export interface HttpGatewayOptions {
  handler: HttpLambdaHandler;
  port?: number;
  host?: string;
  integrationTimeoutMs?: number;
  maxBodyBytes?: number;
  functionName?: string;
}

export interface RunningHttpGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Options = Required<HttpGatewayOptions>;

interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);
// The gateway owns framing of the client connection, so these never pass through from the integration.
const GATEWAY_OWNED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);
const TIMED_OUT = Symbol('timed out');

const JSON_TYPE = { 'content-type': 'application/json' };
const jsonResponse = (statusCode: number, body: string): GatewayResponse => {
  return { statusCode, headers: { ...JSON_TYPE }, cookies: [], body: Buffer.from(body) };
};
const jsonError = (status: number, message: string) => jsonResponse(status, JSON.stringify({ message }));
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStatusCode = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 100 && v < 600;

function parseQuery(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const params = new Map<string, string>();
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1));
    const previous = params.get(key);
    params.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  return Object.fromEntries(params);
}

function collectHeaders(rawHeaders: string[]): { headers: Map<string, string>; cookies: string[] } {
  const headers = new Map<string, string>();
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    const pairs = name === 'cookie' ? value.split(';').map((pair) => pair.trim()) : [];
    if (name === 'cookie') cookies.push(...pairs.filter(Boolean));
    else headers.set(name, headers.has(name) ? `${headers.get(name)},${value}` : value);
  }
  return { headers, cookies };
}

function isTextual(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media.startsWith('text/') || TEXT_MEDIA_TYPES.has(media) || /\+(json|xml)$/.test(media);
}

function buildEvent(req: IncomingMessage, body: Buffer, localPort: number): HttpApiEvent {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : url.slice(queryAt + 1);
  const { headers, cookies } = collectHeaders(req.rawHeaders);
  // API Gateway trusts only the TCP peer; a client-sent X-Forwarded-For is kept but the peer is appended.
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const xff = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', xff ? `${xff}, ${sourceIp}` : sourceIp);
  headers.set('x-forwarded-port', String(localPort));
  headers.set('x-forwarded-proto', 'http');
  const now = new Date();
  const traceEpoch = Math.floor(now.getTime() / 1000).toString(16);
  headers.set('x-amzn-trace-id', `Root=1-${traceEpoch}-${randomBytes(12).toString('hex')}`);
  const domainName = headers.get('host') ?? `localhost:${localPort}`;
  const textual = isTextual(headers.get('content-type'));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers: Object.fromEntries(headers),
    ...(rawQueryString !== '' && { queryStringParameters: parseQuery(rawQueryString) }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers.get('user-agent') ?? '',
      },
      // HTTP API request ids are 16 base64 characters with one "=" of padding, i.e. 11 random bytes.
      requestId: awsId(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: body.toString(textual ? 'utf8' : 'base64') }),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/** Resolves null (and stops buffering) as soon as the body exceeds maxBytes, chunked or not. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = Number(req.headers['content-length'] ?? 0) > maxBytes ? Number.POSITIVE_INFINITY : 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    if (size > maxBytes) resolve(null);
    else req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function structuredHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new Error('headers must be an object');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (!['string', 'number', 'boolean'].includes(typeof raw)) throw new Error(`bad header ${name}`);
    validateHeaderName(name);
    validateHeaderValue(name, String(raw));
    if (!GATEWAY_OWNED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = String(raw);
  }
  return headers;
}

function structuredResponse(result: Record<string, unknown>): GatewayResponse {
  const { statusCode, body = '', cookies = [], isBase64Encoded = false } = result;
  if (!isStatusCode(statusCode)) throw new Error(`invalid statusCode ${JSON.stringify(statusCode)}`);
  if (typeof body !== 'string') throw new Error('body must be a string');
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) throw new Error('bad cookies');
  for (const cookie of cookies) validateHeaderValue('set-cookie', cookie);
  const headers = structuredHeaders(result.headers);
  const bytes = Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8');
  return { statusCode, headers, cookies, body: bytes };
}

/** Maps a handler result the way payload format 2.0 does, throwing when it is malformed. */
function mapHandlerResult(result: unknown): GatewayResponse {
  // Lambda serialises the return value as JSON before API Gateway sees it.
  const parsed: unknown = JSON.parse(JSON.stringify(result ?? null));
  if (isRecord(parsed) && 'statusCode' in parsed) return structuredResponse(parsed);
  return jsonResponse(200, typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
}

async function invoke(options: Options, event: HttpApiEvent): Promise<GatewayResponse> {
  const deadline = Date.now() + options.integrationTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), options.integrationTimeoutMs);
  });
  try {
    const context = createLambdaContext(options.functionName, deadline);
    const run = Promise.resolve().then(() =>
      runInvocation(context.awsRequestId, () => options.handler(event, context)),
    );
    const result = await Promise.race([run, timeout]);
    if (result === TIMED_OUT) return jsonError(503, 'Service Unavailable');
    return mapHandlerResult(result);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const line = `${event.requestContext.requestId} handler failed: ${message.replace(/\s+/g, ' ')}`;
    console.error(`[http-gateway] ${line}`);
    return jsonError(500, 'Internal Server Error');
  } finally {
    clearTimeout(timer);
  }
}

function send(req: IncomingMessage, res: ServerResponse, requestId: string, response: GatewayResponse): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.cookies.length > 0) res.appendHeader('set-cookie', response.cookies);
  res.setHeader('apigw-requestid', requestId);
  if (![204, 304].includes(response.statusCode)) res.setHeader('content-length', response.body.length);
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

async function handleRequest(options: Options, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, options.maxBodyBytes);
  const event = buildEvent(req, body ?? Buffer.alloc(0), (req.socket.address() as AddressInfo).port);
  const requestId = event.requestContext.requestId;
  if (body === null) {
    res.setHeader('connection', 'close');
    return send(req, res, requestId, jsonError(413, 'Request Entity Too Large'));
  }
  send(req, res, requestId, await invoke(options, event));
}

export async function startHttpGateway(options: HttpGatewayOptions): Promise<RunningHttpGateway> {
  const resolved: Options = {
    handler: options.handler,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    integrationTimeoutMs: options.integrationTimeoutMs ?? 30_000,
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    functionName: options.functionName ?? 'local-http-function',
  };
  const server = createServer({ maxHeaderSize: 10_240 }, (req, res) => {
    handleRequest(resolved, req, res).catch((error: unknown) => {
      console.error(`[http-gateway] request failed: ${String(error)}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, JSON_TYPE).end(jsonError(500, 'Internal Server Error').body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
