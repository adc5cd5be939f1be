import { createServer, type IncomingMessage, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { awsId } from './aws-formats.js';
import { credentialsFromEnv } from './dev-credentials.js';
import { createSigV4Verifier } from './sigv4-verifier.js';
import { type CloseCause, MAX_MESSAGE_BYTES, WsConnection } from './ws-connection.js';
import {
  type ConnectionInfo,
  connectEvent,
  connectionInfo,
  disconnectEvent,
  type InvokeOutcome,
  invoke,
  messageEvent,
} from './ws-events.js';
import type { RunningWsGateway, WsGatewayOptions, WsRouteHandlers } from './ws-gateway-types.js';
import { createManagementApi } from './ws-management-api.js';
import { compileRouteSelector, type RouteSelector, selectRoute } from './ws-routes.js';

export type * from './ws-gateway-types.js';

interface Gateway {
  routes: WsRouteHandlers;
  stage: string;
  port: number;
  integrationTimeoutMs: number;
  limits: { idleTimeoutMs: number; maxConnectionMs: number };
  selector: RouteSelector;
  wss: WebSocketServer;
  /** Registered (established, not yet ending) connections: what @connections can reach. */
  connections: Map<string, WsConnection>;
  /** Every upgraded socket until its $disconnect has finished. */
  lifecycles: Map<WsConnection, Promise<void>>;
  /** Ids of handshakes whose $connect is still running. */
  reserved: Set<string>;
  handshakes: Set<Duplex>;
  protocols: WeakMap<IncomingMessage, string>;
}

interface ConnectDecision {
  status: number;
  body?: string;
  protocol?: string;
}

const INTERNAL_ERROR = 'Internal server error';
const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function rejectHandshake(socket: Duplex, status: number, body = '', requestId?: string): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close'];
  if (body !== '') lines.push('Content-Type: application/json');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  if (requestId) lines.push(`x-amzn-RequestId: ${requestId}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function invalidHandshake(req: IncomingMessage): number | undefined {
  if (req.method !== 'GET') return 405;
  const version = req.headers['sec-websocket-version'];
  const key = req.headers['sec-websocket-key'] ?? '';
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !WS_KEY.test(key)) return 400;
  return version === '13' || version === '8' ? undefined : 400;
}

// Only statusCode 200 opens the socket; the Lambda's status (and body) becomes the handshake response.
// A throw, a timeout or a result without a numeric statusCode is treated as a failed integration (500).
function connectDecision(outcome: InvokeOutcome): ConnectDecision {
  const internalError: ConnectDecision = { status: 500, body: JSON.stringify({ message: INTERNAL_ERROR }) };
  if (!outcome.ok || !isRecord(outcome.value)) return internalError;
  const { statusCode, body, headers } = outcome.value;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return internalError;
  }
  if (statusCode !== 200) return { status: statusCode, ...(typeof body === 'string' && { body }) };
  const entry = Object.entries(isRecord(headers) ? headers : {}).find(
    ([name]) => name.toLowerCase() === 'sec-websocket-protocol',
  );
  return typeof entry?.[1] === 'string' ? { status: 200, protocol: entry[1] } : { status: 200 };
}

function newConnectionId(gateway: Gateway): string {
  let id = awsId();
  while (gateway.connections.has(id) || gateway.reserved.has(id)) id = awsId();
  return id;
}

async function onUpgrade(
  gateway: Gateway,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  gateway.handshakes.add(socket);
  socket.once('close', () => gateway.handshakes.delete(socket));
  socket.on('error', () => socket.destroy());
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/' && path !== `/${gateway.stage}`) {
    return rejectHandshake(socket, 403, JSON.stringify({ message: 'Forbidden' }));
  }
  const invalid = invalidHandshake(req);
  if (invalid !== undefined) return rejectHandshake(socket, invalid);
  const info = connectionInfo(req, gateway.stage, newConnectionId(gateway));
  gateway.reserved.add(info.connectionId);
  try {
    const handler = gateway.routes.$connect;
    if (handler) {
      const event = connectEvent(req, info, gateway.port);
      const decision = connectDecision(await invoke(handler, event, gateway.integrationTimeoutMs));
      if (decision.status !== 200) {
        return rejectHandshake(socket, decision.status, decision.body, event.requestContext.requestId);
      }
      if (decision.protocol) gateway.protocols.set(req, decision.protocol);
    }
    if (socket.destroyed) return;
    gateway.wss.handleUpgrade(req, socket, head, (ws) => register(gateway, ws, socket, info));
  } finally {
    gateway.reserved.delete(info.connectionId);
  }
}

function register(gateway: Gateway, ws: WebSocket, socket: Duplex, info: ConnectionInfo): void {
  gateway.handshakes.delete(socket);
  const unregister = (ending: WsConnection): void => {
    if (gateway.connections.get(ending.connectionId) === ending)
      gateway.connections.delete(ending.connectionId);
  };
  const connection = new WsConnection(info, ws, socket, gateway.limits, unregister);
  gateway.connections.set(info.connectionId, connection);
  ws.on('message', (data, isBinary) => onMessage(gateway, connection, data, isBinary));
  const lifecycle = new Promise<void>((resolve) => {
    ws.once('close', (code, reason) => {
      // closed() unregisters the id before $disconnect runs, so a PostToConnection from it gets 410.
      const cause = connection.closed(code, reason.toString('utf8'));
      runDisconnect(gateway, info, cause).finally(() => {
        gateway.lifecycles.delete(connection);
        resolve();
      });
    });
  });
  gateway.lifecycles.set(connection, lifecycle);
}

async function runDisconnect(gateway: Gateway, info: ConnectionInfo, cause: CloseCause): Promise<void> {
  const handler = gateway.routes.$disconnect;
  if (!handler) return;
  await invoke(handler, disconnectEvent(info, cause.code, cause.reason), gateway.integrationTimeoutMs);
}

function onMessage(gateway: Gateway, connection: WsConnection, data: RawData, isBinary: boolean): void {
  if (!connection.isOpen()) return;
  // API Gateway doesn't accept binary frames at all: it closes the connection with 1003.
  if (isBinary) {
    connection.end({ code: 1003, reason: '' });
    return;
  }
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  const body = bytes.toString('utf8');
  const { connectionId } = connection;
  const routeKey = selectRoute(gateway.routes, gateway.selector, body);
  const handler = routeKey === undefined ? undefined : gateway.routes[routeKey];
  if (routeKey === undefined || handler === undefined) {
    connection.send(JSON.stringify({ message: 'Forbidden', connectionId, requestId: awsId() }));
    return;
  }
  // Each message is its own concurrent invocation; routes are one-way, so a result body is dropped.
  const event = messageEvent(connection.info, routeKey, body);
  void invoke(handler, event, gateway.integrationTimeoutMs).then((outcome) => {
    if (outcome.ok) return;
    const { requestId } = event.requestContext;
    connection.send(JSON.stringify({ message: INTERNAL_ERROR, connectionId, requestId }));
  });
}

export async function startWsGateway(options: WsGatewayOptions): Promise<RunningWsGateway> {
  const credentials = options.credentials ?? [credentialsFromEnv(process.env) ?? []].flat();
  if (credentials.length === 0) {
    throw new Error('startWsGateway needs management API credentials (options.credentials or AWS_* env)');
  }
  const verify = createSigV4Verifier({ credentials, region: options.region ?? 'us-east-1' });
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'local';
  const connections = new Map<string, WsConnection>();
  const protocols = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    // ws only sees whole messages; the 32 KB per-frame limit is enforced by WsConnection's frame watcher.
    maxPayload: MAX_MESSAGE_BYTES,
    // Without a Sec-WebSocket-Protocol header from $connect, no subprotocol is selected (unlike ws's default).
    handleProtocols: (_offered, req) => protocols.get(req) ?? false,
  });
  const gateway: Gateway = {
    routes: options.routes,
    stage,
    port: 0,
    integrationTimeoutMs: options.integrationTimeoutMs ?? 29_000,
    limits: {
      idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
      maxConnectionMs: options.maxConnectionMs ?? 7_200_000,
    },
    selector: compileRouteSelector(options.routeSelectionExpression ?? '$request.body.action'),
    wss,
    connections,
    lifecycles: new Map(),
    reserved: new Set(),
    handshakes: new Set(),
    protocols,
  };
  const find = (id: string) => {
    const connection = connections.get(id);
    return connection?.isOpen() ? connection : undefined;
  };
  const server = createServer(
    createManagementApi({ stage, maxPayloadBytes: MAX_MESSAGE_BYTES, find, verify }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(gateway, req, socket, head).catch((error: unknown) => {
      console.error(`[ws-gateway] upgrade failed: ${String(error)}`);
      rejectHandshake(socket, 500, JSON.stringify({ message: INTERNAL_ERROR }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  gateway.port = (server.address() as AddressInfo).port;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${gateway.port}`;
  return {
    url: `ws://${authority}`,
    managementEndpoint: `http://${authority}/${stage}`,
    port: gateway.port,
    connectionCount: () => connections.size,
    close: async () => {
      wss.close();
      for (const socket of gateway.handshakes) socket.destroy();
      for (const connection of [...gateway.lifecycles.keys()]) connection.terminate();
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await Promise.all([...gateway.lifecycles.values()]);
      await closed;
    },
  };
}
