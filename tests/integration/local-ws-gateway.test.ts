import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ClientOptions, WebSocket } from 'ws';
import { generateDevCredentials } from '../../local/dev-credentials.js';
import { NodeSha256 } from '../../local/sigv4-verifier.js';
import {
  type RunningWsGateway,
  startWsGateway,
  type WebSocketEvent,
  type WsGatewayOptions,
} from '../../local/ws-gateway.js';
import { compileRouteSelector } from '../../local/ws-routes.js';
import { clockPasses } from '../support/poll.js';

type Responder = (event: WebSocketEvent) => Promise<unknown>;

interface Client {
  ws: WebSocket;
  frames: { text: string; isBinary: boolean }[];
  closed: Promise<{ code: number; reason: string }>;
}

const ID_FORMAT = /^[A-Za-z0-9+/]{15}=$/;
const CREDENTIALS = generateDevCredentials();
const KB = 1024;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const accept: Responder = async () => ({ statusCode: 200 });

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await sleep(10);
  }
}

function openClient(url: string, options: ClientOptions = {}, protocols: string[] = []): Promise<Client> {
  const ws = new WebSocket(url, protocols, options);
  const frames: Client['frames'] = [];
  ws.on('message', (data, isBinary) => frames.push({ text: String(data), isBinary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

function rejectedHandshake(url: string): Promise<{ status: number; body: string; requestId: unknown }> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('handshake unexpectedly succeeded')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, requestId: res.headers['x-amzn-requestid'] });
        ws.terminate();
      });
    });
  });
}

function sdkFor(gateway: RunningWsGateway): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
  });
}

/** Signs a raw management request the way the SDK would, for requests the SDK client never makes. */
async function signedHeaders(method: string, url: string): Promise<Record<string, string>> {
  const { protocol, hostname, port, host, pathname } = new URL(url);
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: 'us-east-1',
    service: 'execute-api',
    sha256: NodeSha256,
  });
  const request = { method, protocol, hostname, port: Number(port), path: pathname, headers: { host } };
  const { host: _host, ...headers } = (await signer.sign(request)).headers;
  return headers;
}

async function caught(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A gateway whose handlers record every event, for the tests that need their own limits. */
async function recordingGateway(options: Omit<WsGatewayOptions, 'routes'>, routes: string[] = ['$default']) {
  const events: WebSocketEvent[] = [];
  const record = async (event: WebSocketEvent) => {
    events.push(event);
    return { statusCode: 200 };
  };
  const handlers = Object.fromEntries(['$connect', '$disconnect', ...routes].map((key) => [key, record]));
  const gateway = await startWsGateway({ credentials: [CREDENTIALS], ...options, routes: handlers });
  return { gateway, events };
}

describe('local WebSocket API gateway', () => {
  let gateway: RunningWsGateway;
  let sdk: ApiGatewayManagementApiClient;
  let events: WebSocketEvent[] = [];
  /** Events whose handler has returned (or thrown). */
  let settled: WebSocketEvent[] = [];
  let clients: Client[] = [];
  let onConnect: Responder = accept;
  let onDisconnect: Responder = accept;
  let openGate: () => void = () => {};
  let gate = Promise.resolve();
  let blockFinished = false;

  const recorded = (respond: () => Responder) => async (event: WebSocketEvent) => {
    events.push(event);
    try {
      return await respond()(event);
    } finally {
      settled.push(event);
    }
  };

  beforeAll(async () => {
    gateway = await startWsGateway({
      credentials: [CREDENTIALS],
      integrationTimeoutMs: 500,
      routes: {
        $connect: recorded(() => onConnect),
        $disconnect: recorded(() => onDisconnect),
        $default: recorded(() => accept),
        sendmessage: recorded(() => async () => ({ statusCode: 200, body: 'never sent to the client' })),
        boom: recorded(() => async () => {
          throw new Error('handler exploded');
        }),
        slow: recorded(() => () => new Promise<never>(() => {})),
        block: recorded(() => async () => {
          await gate;
          blockFinished = true;
        }),
        release: recorded(() => async () => openGate()),
      },
    });
    sdk = sdkFor(gateway);
  });

  afterAll(async () => {
    sdk.destroy();
    await gateway.close();
  });

  beforeEach(() => {
    events = [];
    settled = [];
    onConnect = accept;
    onDisconnect = accept;
    blockFinished = false;
    gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
  });

  afterEach(async () => {
    for (const client of clients) client.ws.terminate();
    await Promise.all(clients.map((client) => client.closed));
    clients = [];
    await waitFor(() => (gateway.connectionCount() === 0 ? true : undefined));
  });

  async function open(path = '/?client=1', options: ClientOptions = {}, protocols: string[] = []) {
    const client = await openClient(`${gateway.url}${path}`, options, protocols);
    clients.push(client);
    const connect = events.filter((event) => event.requestContext.eventType === 'CONNECT').at(-1);
    if (!connect) throw new Error('$connect was not invoked');
    return { ...client, connectionId: connect.requestContext.connectionId, connect };
  }

  const eventsOf = (connectionId: string, type: WebSocketEvent['requestContext']['eventType']) =>
    events.filter(
      (e) => e.requestContext.connectionId === connectionId && e.requestContext.eventType === type,
    );

  const disconnectOf = (connectionId: string) => waitFor(() => eventsOf(connectionId, 'DISCONNECT')[0]);

  describe('$connect', () => {
    it('runs before the upgrade with the handshake headers in the case the client sent them', async () => {
      const headers = {
        'User-Agent': 'ws-contract-test',
        'X-Custom-Header': 'Keep-Case',
      };
      const { connect, connectionId } = await open('/?room=1&room=2&token=a%20b', { headers });
      expect(connect.headers).toMatchObject({
        Host: `127.0.0.1:${gateway.port}`,
        'User-Agent': 'ws-contract-test',
        'X-Custom-Header': 'Keep-Case',
        'Sec-WebSocket-Version': '13',
        'X-Forwarded-For': '127.0.0.1',
        'X-Forwarded-Port': String(gateway.port),
        'X-Forwarded-Proto': 'http',
      });
      expect(connect.headers?.['Sec-WebSocket-Key']).toMatch(/==$/);
      expect(connect.headers?.['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(Object.keys(connect.headers ?? {}).map((name) => name.toLowerCase())).not.toContain('upgrade');
      expect(connect.multiValueHeaders?.['X-Custom-Header']).toEqual(['Keep-Case']);
      expect(connect.queryStringParameters).toEqual({ room: '2', token: 'a b' });
      expect(connect.multiValueQueryStringParameters).toEqual({ room: ['1', '2'], token: ['a b'] });
      expect(connect.isBase64Encoded).toBe(false);
      expect(connect.body).toBeUndefined();
      const context = connect.requestContext;
      expect(context).toMatchObject({
        routeKey: '$connect',
        eventType: 'CONNECT',
        messageDirection: 'IN',
        stage: 'local',
        apiId: 'local',
        domainName: `127.0.0.1:${gateway.port}`,
        identity: { sourceIp: '127.0.0.1', userAgent: 'ws-contract-test' },
        connectionId,
      });
      expect(context.requestId).toMatch(ID_FORMAT);
      expect(context.extendedRequestId).toBe(context.requestId);
      expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(Math.abs(context.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
      expect(context.connectedAt).toBeLessThanOrEqual(context.requestTimeEpoch);
      expect(context).not.toHaveProperty('messageId');
      expect(context).not.toHaveProperty('disconnectStatusCode');
    });

    it('comma-joins repeated handshake headers and keeps every value in multiValueHeaders', async () => {
      const request = [
        'GET /?client=raw HTTP/1.1',
        `Host: 127.0.0.1:${gateway.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        'X-Dup: a',
        'x-dup: b',
      ];
      const socket = connect(gateway.port, '127.0.0.1', () =>
        socket.write(`${request.join('\r\n')}\r\n\r\n`),
      );
      try {
        const response = await new Promise<string>((resolve, reject) => {
          let text = '';
          socket.on('data', (chunk: Buffer) => {
            text += chunk.toString('latin1');
            if (text.includes('\r\n\r\n')) resolve(text);
          });
          socket.once('error', reject);
        });
        expect(response.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
        const event = events.find((e) => e.requestContext.eventType === 'CONNECT');
        expect(event?.headers?.['X-Dup']).toBe('a,b');
        expect(event?.headers).not.toHaveProperty('x-dup');
        expect(event?.multiValueHeaders?.['X-Dup']).toEqual(['a', 'b']);
      } finally {
        socket.destroy();
      }
    });

    it('omits the query fields without a query and accepts the /{stage} path', async () => {
      const bare = await open('');
      expect(bare.connect).not.toHaveProperty('queryStringParameters');
      expect(bare.connect).not.toHaveProperty('multiValueQueryStringParameters');
      const staged = await open('/local');
      expect(staged.connect).not.toHaveProperty('queryStringParameters');
      expect(gateway.connectionCount()).toBe(2);
    });

    it('gives AWS-shaped, unique connection ids that the management API accepts', async () => {
      const opened = [];
      for (let i = 0; i < 6; i++) opened.push(await open(`/?client=${i}`));
      const ids = opened.map((client) => client.connectionId);
      for (const id of ids) expect(id).toMatch(ID_FORMAT);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) await sdk.send(new GetConnectionCommand({ ConnectionId: id }));
    });

    it.each([401, 403])(
      'passes a %i through as the handshake response and registers nothing',
      async (status) => {
        const seen: WebSocketEvent[] = [];
        const refusing = await startWsGateway({
          credentials: [CREDENTIALS],
          routes: {
            $connect: async (event) => {
              seen.push(event);
              return { statusCode: status, body: JSON.stringify({ message: 'Unauthorized' }) };
            },
            $disconnect: async (event) => {
              seen.push(event);
              return { statusCode: 200 };
            },
          },
        });
        const refusingSdk = sdkFor(refusing);
        try {
          const response = await rejectedHandshake(`${refusing.url}/?token=bad`);
          expect(response.status).toBe(status);
          expect(JSON.parse(response.body)).toEqual({ message: 'Unauthorized' });
          const connectionId = seen[0]?.requestContext.connectionId ?? '';
          expect(response.requestId).toBe(seen[0]?.requestContext.requestId);
          expect(refusing.connectionCount()).toBe(0);
          const error = await caught(
            refusingSdk.send(new GetConnectionCommand({ ConnectionId: connectionId })),
          );
          expect(error).toBeInstanceOf(GoneException);
        } finally {
          refusingSdk.destroy();
          // close() waits for the $disconnect of every connection the gateway holds: none can come after it.
          await refusing.close();
        }
        expect(seen.map((event) => event.requestContext.eventType)).toEqual(['CONNECT']);
      },
    );

    it.each<[string, Responder]>([
      [
        'throws',
        async () => {
          throw new Error('connect failed');
        },
      ],
      ['times out', () => new Promise<never>(() => {})],
      ['returns no statusCode', async () => ({ body: 'ok' })],
    ])('answers 500 when the handler %s', async (_case, responder) => {
      onConnect = responder;
      const response = await rejectedHandshake(gateway.url);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error' });
      expect(gateway.connectionCount()).toBe(0);
    });

    it('does not register the connection until $connect has returned', async () => {
      let early: unknown;
      onConnect = async (event) => {
        const post = new PostToConnectionCommand({
          ConnectionId: event.requestContext.connectionId,
          Data: 'x',
        });
        early = await caught(sdk.send(post));
        return { statusCode: 200 };
      };
      const { connectionId, frames } = await open();
      expect(early).toBeInstanceOf(GoneException);
      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'now' }));
      await waitFor(() => frames[0]);
      expect(frames).toEqual([{ text: 'now', isBinary: false }]);
    });

    it('selects a subprotocol only when $connect returns Sec-WebSocket-Protocol', async () => {
      onConnect = async () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'chat.v2' } });
      const chosen = await open('/?client=proto', {}, ['chat.v1', 'chat.v2']);
      expect(chosen.ws.protocol).toBe('chat.v2');
      onConnect = accept;
      const error = await caught(openClient(gateway.url, {}, ['chat.v1']));
      expect(String(error)).toMatch(/no subprotocol/);
    });

    it('refuses upgrades on other paths', async () => {
      expect((await rejectedHandshake(`${gateway.url}/elsewhere`)).status).toBe(403);
      expect(events).toEqual([]);
    });
  });

  describe('messages', () => {
    it('routes on $request.body.action and falls back to $default for unknown keys and non-JSON', async () => {
      const { ws, connectionId, connect, frames } = await open();
      ws.send(JSON.stringify({ action: 'sendmessage', text: 'hi' }));
      ws.send(JSON.stringify({ action: 'nope' }));
      ws.send('not json');
      const messages = await waitFor(() => {
        const found = eventsOf(connectionId, 'MESSAGE');
        return found.length === 3 ? found : undefined;
      });
      const byBody = new Map(messages.map((event) => [event.body, event.requestContext.routeKey]));
      expect(byBody.get('{"action":"sendmessage","text":"hi"}')).toBe('sendmessage');
      expect(byBody.get('{"action":"nope"}')).toBe('$default');
      expect(byBody.get('not json')).toBe('$default');
      const [event] = messages;
      expect(event).not.toHaveProperty('headers');
      expect(event).not.toHaveProperty('multiValueHeaders');
      expect(event).not.toHaveProperty('queryStringParameters');
      expect(event?.isBase64Encoded).toBe(false);
      expect(event?.requestContext).toMatchObject({
        eventType: 'MESSAGE',
        messageDirection: 'IN',
        connectionId,
        connectedAt: connect.requestContext.connectedAt,
        identity: connect.requestContext.identity,
      });
      expect(event?.requestContext.messageId).toMatch(ID_FORMAT);
      expect(new Set(messages.map((e) => e.requestContext.messageId)).size).toBe(3);
      // Once every handler has returned, anything the gateway would send for their results is on the socket
      // ahead of a frame posted now; so the marker must be the first and only frame.
      const isMessageOfThis = (e: WebSocketEvent) =>
        e.requestContext.connectionId === connectionId && e.requestContext.eventType === 'MESSAGE';
      await waitFor(() => (settled.filter(isMessageOfThis).length === 3 ? true : undefined));
      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'marker' }));
      await waitFor(() => frames[0]);
      expect(frames).toEqual([{ text: 'marker', isBinary: false }]);
    });

    it('sends an error frame when the handler throws or times out', async () => {
      const { ws, connectionId, frames } = await open();
      ws.send(JSON.stringify({ action: 'boom' }));
      ws.send(JSON.stringify({ action: 'slow' }));
      await waitFor(() => frames[1]);
      const requestIds = eventsOf(connectionId, 'MESSAGE').map((event) => event.requestContext.requestId);
      for (const frame of frames) {
        expect(frame.isBinary).toBe(false);
        const parsed = JSON.parse(frame.text);
        expect(Object.keys(parsed)).toEqual(['message', 'connectionId', 'requestId']);
        expect(parsed).toMatchObject({ message: 'Internal server error', connectionId });
        expect(requestIds).toContain(parsed.requestId);
      }
      expect(ws.readyState).toBe(WebSocket.OPEN);
    });

    it('invokes messages of one connection concurrently', async () => {
      const { ws, frames } = await open();
      ws.send(JSON.stringify({ action: 'block' }));
      ws.send(JSON.stringify({ action: 'release' }));
      await waitFor(() => (blockFinished ? true : undefined));
      expect(frames).toEqual([]);
    });

    it('closes with 1003 on a binary frame', async () => {
      const { ws, connectionId, closed } = await open();
      ws.send(Buffer.from('{"action":"sendmessage"}'));
      expect((await closed).code).toBe(1003);
      expect((await disconnectOf(connectionId)).requestContext.disconnectStatusCode).toBe(1003);
      expect(eventsOf(connectionId, 'MESSAGE')).toEqual([]);
    });

    it('closes with 1009 on a frame over 32 KB', async () => {
      const { ws, connectionId, closed } = await open();
      ws.send('x'.repeat(32 * KB + 1));
      expect((await closed).code).toBe(1009);
      expect((await disconnectOf(connectionId)).requestContext.disconnectStatusCode).toBe(1009);
      expect(eventsOf(connectionId, 'MESSAGE')).toEqual([]);
    });

    it('accepts a 128 KB message in 32 KB frames and closes with 1009 above that', async () => {
      const sendFragmented = (ws: WebSocket, frameCount: number, frameBytes: number) => {
        for (let i = 0; i < frameCount; i++) ws.send('y'.repeat(frameBytes), { fin: i === frameCount - 1 });
      };
      const fits = await open('/?client=fits');
      sendFragmented(fits.ws, 4, 32 * KB);
      const event = await waitFor(() => eventsOf(fits.connectionId, 'MESSAGE')[0]);
      expect(event.body).toHaveLength(128 * KB);
      expect(event.requestContext.routeKey).toBe('$default');

      const tooBig = await open('/?client=big');
      sendFragmented(tooBig.ws, 5, 30 * KB);
      expect((await tooBig.closed).code).toBe(1009);
      expect(eventsOf(tooBig.connectionId, 'MESSAGE')).toEqual([]);
    });

    it('evaluates dotted selection paths, stringifies the value and answers Forbidden without $default', async () => {
      const { gateway: dotted, events: seen } = await recordingGateway(
        { routeSelectionExpression: '$request.body.meta.type' },
        ['42', 'chat'],
      );
      try {
        const client = await openClient(dotted.url);
        client.ws.send(JSON.stringify({ meta: { type: 42 } }));
        client.ws.send(JSON.stringify({ meta: { type: 'chat' } }));
        client.ws.send(JSON.stringify({ action: 'chat' }));
        client.ws.send('plain text');
        await waitFor(() => (client.frames.length === 2 ? true : undefined));
        const routed = await waitFor(() => {
          const found = seen.filter((event) => event.requestContext.eventType === 'MESSAGE');
          return found.length === 2 ? found : undefined;
        });
        expect(routed.map((event) => event.requestContext.routeKey).sort()).toEqual(['42', 'chat']);
        const connectionId = routed[0]?.requestContext.connectionId;
        for (const frame of client.frames) {
          expect(JSON.parse(frame.text)).toMatchObject({ message: 'Forbidden', connectionId });
          expect(JSON.parse(frame.text).requestId).toMatch(ID_FORMAT);
        }
      } finally {
        await dotted.close();
      }
    });

    it('supports template selection expressions', () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not JS.
      const select = compileRouteSelector('${request.body.service}/${request.body.action}');
      expect(select('{"service":"chat","action":"send"}')).toBe('chat/send');
      expect(select('{"service":"chat"}')).toBeUndefined();
      expect(select('nope')).toBeUndefined();
    });
  });

  describe('$disconnect', () => {
    it('reports the client close code after unregistering the connection', async () => {
      let lookup: unknown;
      onDisconnect = async (event) => {
        lookup = await caught(
          sdk.send(new GetConnectionCommand({ ConnectionId: event.requestContext.connectionId })),
        );
      };
      const { ws, connectionId, connect } = await open();
      ws.close(4000, 'bye');
      const event = await disconnectOf(connectionId);
      expect(event.headers).toEqual({
        Host: `127.0.0.1:${gateway.port}`,
        'x-api-key': '',
        'X-Forwarded-For': '',
        'x-restapi': '',
      });
      expect(event.multiValueHeaders).toEqual({
        Host: [`127.0.0.1:${gateway.port}`],
        'x-api-key': [''],
        'X-Forwarded-For': [''],
        'x-restapi': [''],
      });
      expect(event.requestContext).toMatchObject({
        routeKey: '$disconnect',
        eventType: 'DISCONNECT',
        disconnectStatusCode: 4000,
        disconnectReason: 'bye',
        connectedAt: connect.requestContext.connectedAt,
      });
      expect(event.requestContext).not.toHaveProperty('messageId');
      expect(event).not.toHaveProperty('body');
      await waitFor(() => lookup);
      expect(lookup).toBeInstanceOf(GoneException);
    });

    it('reports 1006 when the client drops the TCP connection', async () => {
      const { ws, connectionId } = await open();
      ws.terminate();
      const event = await disconnectOf(connectionId);
      expect(event.requestContext.disconnectStatusCode).toBe(1006);
    });
  });

  describe('management API (@connections) through the unmodified SDK', () => {
    it('posts text frames, reports the connection and tracks activity', async () => {
      const headers = { 'User-Agent': 'sdk-contract' };
      const { connectionId, frames } = await open('/?client=sdk', { headers });
      const before = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      expect(before.ConnectedAt).toBeInstanceOf(Date);
      expect(before.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'sdk-contract' });
      await clockPasses(before.LastActiveAt?.getTime() ?? Number.POSITIVE_INFINITY);
      const post = await sdk.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'héllo ✓' }),
      );
      expect(post.$metadata.httpStatusCode).toBe(200);
      await waitFor(() => frames[0]);
      expect(frames).toEqual([{ text: 'héllo ✓', isBinary: false }]);
      const after = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      expect(after.LastActiveAt?.getTime()).toBeGreaterThan(before.LastActiveAt?.getTime() ?? Infinity);
      expect(after.ConnectedAt).toEqual(before.ConnectedAt);
    });

    it('deletes a connection with close 1000, then answers GoneException', async () => {
      const { connectionId, closed } = await open();
      const deleted = await sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect((await closed).code).toBe(1000);
      const event = await disconnectOf(connectionId);
      expect(event.requestContext.disconnectStatusCode).toBe(1000);
      expect(event.requestContext.disconnectReason).toBe('Connection Closed Normally');
      const error = await caught(
        sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x' })),
      );
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
      const again = await caught(sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId })));
      expect(again).toBeInstanceOf(GoneException);
    });

    it('accepts 128 KB and rejects more with PayloadTooLargeException', async () => {
      const { connectionId, frames } = await open();
      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'z'.repeat(128 * KB) }));
      await waitFor(() => frames[0]);
      expect(frames[0]?.text).toHaveLength(128 * KB);
      const data = 'z'.repeat(128 * KB + 1);
      const error = await caught(
        sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data })),
      );
      expect(error).toBeInstanceOf(PayloadTooLargeException);
      expect((error as PayloadTooLargeException).$metadata.httpStatusCode).toBe(413);
      expect(frames).toHaveLength(1);
    });

    it('answers raw requests with typed errors and a request id', async () => {
      const base = `${gateway.managementEndpoint}/@connections`;
      const gone = `${base}/${encodeURIComponent('AAAAAAAAAAAAAAA=')}`;
      const cases: [string, string, boolean, number, string][] = [
        ['GET', gone, false, 403, 'MissingAuthenticationTokenException'],
        ['GET', `${base}/not-an-id`, true, 400, 'BadRequestException'],
        ['GET', gone, true, 410, 'GoneException'],
        ['GET', `${base.replace('/local/', '/prod/')}/AAAAAAAAAAAAAAA%3D`, true, 403, 'ForbiddenException'],
        ['POST', gone, true, 410, 'GoneException'],
      ];
      for (const [method, url, isSigned, status, errorType] of cases) {
        const headers = isSigned ? await signedHeaders(method, url) : {};
        const res = await fetch(url, { method, headers });
        expect(res.status).toBe(status);
        expect(res.headers.get('x-amzn-errortype')).toBe(errorType);
        expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
        const body = (await res.json()) as { message: string };
        expect(Object.keys(body)).toEqual(['message']);
        if (status === 410) expect(body).toEqual({ message: 'Gone' });
      }
    });
  });
});

describe('local WebSocket API gateway timeouts and shutdown', () => {
  const disconnects = (events: WebSocketEvent[]) =>
    events.filter((event) => event.requestContext.eventType === 'DISCONNECT');

  /**
   * The idle and age timers run on vitest's fake timers and move only when a test advances them, so a
   * loaded machine cannot stretch a gap between frames past the timeout. Socket I/O stays real, so waits
   * for it spin on setImmediate (not faked) against a real deadline.
   */
  async function fakeTimersFor<T>(work: () => Promise<T>): Promise<T> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      return await work();
    } finally {
      vi.useRealTimers();
    }
  }

  async function ioSettles<T>(probe: () => T | undefined, what: string): Promise<T> {
    const deadline = performance.now() + 5_000;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  it('closes idle connections with 1001; data frames either way reset the timer, pings do not', async () => {
    const { gateway, events } = await recordingGateway({ idleTimeoutMs: 400 });
    const sdk = sdkFor(gateway);
    try {
      await fakeTimersFor(async () => {
        const pinging = await openClient(gateway.url);
        const talking = await openClient(gateway.url);
        const listening = await openClient(gateway.url);
        const [, talkingId, listeningId] = events.map((event) => event.requestContext.connectionId);
        if (!talkingId || !listeningId) throw new Error('no $connect for the talking or listening client');
        const messagesFrom = (id: string) =>
          events.filter(
            (e) => e.requestContext.connectionId === id && e.requestContext.eventType === 'MESSAGE',
          );

        vi.advanceTimersByTime(300);
        // Traffic at t=300: a ping (answered by a pong), a frame from the client, a frame to the client.
        let ponged = false;
        pinging.ws.once('pong', () => {
          ponged = true;
        });
        pinging.ws.ping();
        talking.ws.send('still here');
        await sdk.send(new PostToConnectionCommand({ ConnectionId: listeningId, Data: 'ping' }));
        await ioSettles(() => (ponged ? true : undefined), 'the pong');
        await ioSettles(() => messagesFrom(talkingId)[0], 'the client frame');
        await ioSettles(() => listening.frames[0], 'the posted frame');

        vi.advanceTimersByTime(100);
        expect(gateway.connectionCount()).toBe(2);
        expect(await pinging.closed).toEqual({ code: 1001, reason: 'Going away' });

        vi.advanceTimersByTime(299);
        expect(gateway.connectionCount()).toBe(2);
        vi.advanceTimersByTime(1);
        expect(gateway.connectionCount()).toBe(0);
        expect((await talking.closed).code).toBe(1001);
        expect((await listening.closed).code).toBe(1001);
      });
      const reported = await waitFor(() =>
        disconnects(events).length === 3 ? disconnects(events) : undefined,
      );
      for (const event of reported) {
        expect(event.requestContext.disconnectStatusCode).toBe(1001);
        expect(event.requestContext.disconnectReason).toBe('Going away');
      }
    } finally {
      sdk.destroy();
      await gateway.close();
    }
  });

  it('closes connections at the maximum age even while active', async () => {
    const { gateway, events } = await recordingGateway({ maxConnectionMs: 400 });
    try {
      await fakeTimersFor(async () => {
        const client = await openClient(gateway.url);
        const messages = () => events.filter((e) => e.requestContext.eventType === 'MESSAGE');

        for (const at of [100, 200, 300]) {
          vi.advanceTimersByTime(100);
          client.ws.send(`busy at ${at}`);
          await ioSettles(() => (messages().length === at / 100 ? true : undefined), `the frame at ${at}`);
        }
        vi.advanceTimersByTime(99);
        expect(gateway.connectionCount()).toBe(1);
        vi.advanceTimersByTime(1);

        expect(gateway.connectionCount()).toBe(0);
        expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      });
    } finally {
      await gateway.close();
    }
  });

  it('close() terminates every socket and waits for their $disconnect', async () => {
    const { gateway, events } = await recordingGateway({});
    const clients = [await openClient(gateway.url), await openClient(gateway.url)];
    expect(gateway.connectionCount()).toBe(2);
    await gateway.close();
    expect(gateway.connectionCount()).toBe(0);
    expect(disconnects(events).map((event) => event.requestContext.disconnectStatusCode)).toEqual([
      1006, 1006,
    ]);
    for (const client of clients) expect((await client.closed).code).toBe(1006);
  });
});
