import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWsGateway, startWsGateway } from '../../local/ws-gateway.js';
import {
  createPushGateway,
  PUSH_LIMITS,
  type PushGatewayOptions,
} from '../../shared/adapters/apigw/push-gateway.js';
import type { PushGateway } from '../../shared/domain/realtime/ports.js';
import type { ServerFrame } from '../../shared/domain/realtime/server-frames.js';
import { timed } from '../support/poll.js';
import {
  type FakeManagementApi,
  startFakeManagementApi,
  useDummyAwsCredentials,
} from '../support/realtime-fake-management-api.js';
import { fakeConnectionId } from '../support/realtime-redis.js';
import { openSocket, type TestSocket } from '../support/realtime-ws-client.js';
import { RecordingMetrics } from '../support/recording-telemetry.js';

const PONG: ServerFrame = { type: 'pong' };
const presence: ServerFrame = { type: 'presence', userId: 'u-1', online: true };

describe('push gateway against the local WebSocket API emulator', () => {
  let gateway: RunningWsGateway;
  let push: PushGateway;
  const connected: string[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    useDummyAwsCredentials();
    gateway = await startWsGateway({
      routes: {
        $connect: async (event) => {
          connected.push(event.requestContext.connectionId);
          return { statusCode: 200 };
        },
      },
    });
    push = createPushGateway({ endpoint: gateway.managementEndpoint, region: 'us-east-1' });
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function connect(): Promise<{ socket: TestSocket; connectionId: string }> {
    const socket = await openSocket(gateway.url);
    sockets.push(socket);
    const connectionId = connected.at(-1);
    if (!connectionId) throw new Error('no $connect recorded');
    return { socket, connectionId };
  }

  it('delivers a frame to the socket as one JSON text frame', async () => {
    const { socket, connectionId } = await connect();

    expect(await push.post(connectionId, presence)).toBe('delivered');

    await socket.waitForFrame((frame) => typeof frame === 'object');
    expect(socket.frames).toEqual([{ text: JSON.stringify(presence), isBinary: false }]);
  });

  it('reports gone, without throwing, for an id that never connected', async () => {
    await expect(push.post(fakeConnectionId(), PONG)).resolves.toBe('gone');
  });

  it('reports gone for a socket that has closed', async () => {
    const { socket, connectionId } = await connect();
    await socket.close();

    await expect(push.post(connectionId, PONG)).resolves.toBe('gone');
  });

  it('closes the socket with 1000 on disconnect, after which posts find it gone', async () => {
    const { socket, connectionId } = await connect();

    await push.disconnect(connectionId);

    expect((await socket.closed).code).toBe(1000);
    expect(await push.post(connectionId, PONG)).toBe('gone');
    await expect(push.disconnect(connectionId)).resolves.toBeUndefined();
  });
});

describe('push gateway retries against a scripted management API', () => {
  let api: FakeManagementApi;
  const errors: Record<string, unknown>[] = [];
  let metrics = new RecordingMetrics();
  const pushWith = (maxAttempts: number): PushGateway =>
    createPushGateway({
      endpoint: api.endpoint,
      region: 'us-east-1',
      maxAttempts,
      onError: (_message, details) => errors.push(details),
      metrics,
    });

  beforeAll(async () => {
    useDummyAwsCredentials();
    api = await startFakeManagementApi();
  });

  afterEach(() => {
    errors.length = 0;
    metrics = new RecordingMetrics();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('retries 429 LimitExceeded with growing backoff, then delivers exactly once', async () => {
    api.answerWith((index) =>
      index < 2 ? { status: 429, errorType: 'LimitExceededException' } : { status: 200 },
    );
    const connectionId = fakeConnectionId();

    const { value, ms } = await timed(() => pushWith(4).post(connectionId, PONG));

    expect(value).toBe('delivered');
    expect(api.requests).toHaveLength(3);
    const [first, second, third] = api.requests.map((request) => request.atMs);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(20);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(45);
    expect(ms).toBeLessThan(2_000);
    for (const request of api.requests) {
      expect(request).toMatchObject({ method: 'POST', body: JSON.stringify(PONG) });
      expect(decodeURIComponent(request.path)).toBe(`/local/@connections/${connectionId}`);
    }
    expect(errors).toEqual([]);
    // Counted once, by its outcome: the retries got past the throttle.
    expect(metrics.snapshot()).toEqual({ PushOk: 1 });
  });

  it('gives up on a persistent 500 after maxAttempts with failed, in bounded time', async () => {
    api.answerWith(() => ({ status: 500, errorType: 'InternalServerErrorException' }));

    const { value, ms } = await timed(() => pushWith(3).post(fakeConnectionId(), PONG));

    expect(value).toBe('failed');
    expect(api.requests).toHaveLength(3);
    expect(ms).toBeLessThan(1_500);
    expect(errors).toEqual([expect.objectContaining({ operation: 'post', status: 500 })]);
    expect(metrics.snapshot()).toEqual({ PushError: 1 });
  });

  it('counts a push still throttled when its attempts run out as PushThrottled, not PushError', async () => {
    api.answerWith(() => ({ status: 429, errorType: 'LimitExceededException' }));

    await expect(pushWith(2).post(fakeConnectionId(), PONG)).resolves.toBe('failed');

    expect(api.requests).toHaveLength(2);
    expect(metrics.snapshot()).toEqual({ PushThrottled: 1 });
  });

  it('retries a 503 and then delivers', async () => {
    api.answerWith((index) => (index === 0 ? { status: 503 } : { status: 200 }));

    await expect(pushWith(4).post(fakeConnectionId(), PONG)).resolves.toBe('delivered');
    expect(api.requests).toHaveLength(2);
  });

  it('does not retry 410 Gone', async () => {
    api.answerWith(() => ({ status: 410, errorType: 'GoneException' }));

    await expect(pushWith(4).post(fakeConnectionId(), PONG)).resolves.toBe('gone');
    expect(api.requests).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(metrics.snapshot()).toEqual({ PushGone: 1 });
  });

  it('does not retry other 4xx answers and reports them as failed', async () => {
    api.answerWith(() => ({ status: 403, errorType: 'ForbiddenException' }));

    await expect(pushWith(4).post(fakeConnectionId(), PONG)).resolves.toBe('failed');
    expect(api.requests).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ status: 403 })]);
  });

  it('retries a throttled disconnect and sends DELETE for the connection', async () => {
    api.answerWith((index) =>
      index === 0 ? { status: 429, errorType: 'LimitExceededException' } : { status: 204 },
    );
    const connectionId = fakeConnectionId();

    await pushWith(4).disconnect(connectionId);

    expect(api.requests.map((request) => request.method)).toEqual(['DELETE', 'DELETE']);
    // Closing a socket is not a push.
    expect(metrics.snapshot()).toEqual({});
  });

  it('fails fast, without throwing, when the endpoint refuses connections', async () => {
    const unreachable = createPushGateway({
      endpoint: 'http://127.0.0.1:1/local',
      region: 'us-east-1',
      maxAttempts: 2,
    });

    const { value, ms } = await timed(() => unreachable.post(fakeConnectionId(), PONG));

    expect(value).toBe('failed');
    expect(ms).toBeLessThan(2_000);
  });
});

describe('push gateway against an endpoint that accepts connections and never answers', () => {
  let server: Server;
  let endpoint: string;
  /** One TCP connection per attempt: a timed-out request's socket is destroyed, never reused. */
  const attempts: Socket[] = [];
  const errors: Record<string, unknown>[] = [];
  const stalledPush = (limits: Partial<PushGatewayOptions>) =>
    createPushGateway({
      endpoint,
      region: 'us-east-1',
      onError: (_message, details) => errors.push(details),
      ...limits,
    });

  beforeAll(async () => {
    useDummyAwsCredentials();
    server = createServer((socket) => {
      attempts.push(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local`;
  });

  afterEach(() => {
    for (const socket of attempts.splice(0)) socket.destroy();
    errors.length = 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('gives up with failed under the default limits instead of waiting forever', async () => {
    const outcome = await stalledPush({}).post(fakeConnectionId(), PONG);

    expect(outcome).toBe('failed');
    // 2 s per attempt and 4 s in all leave room for exactly two attempts.
    expect(PUSH_LIMITS).toEqual({ connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, deadlineMs: 4_000 });
    expect(attempts).toHaveLength(2);
    expect(errors).toEqual([expect.objectContaining({ operation: 'post', status: undefined })]);
  });

  it('cuts each attempt at the request timeout and retries up to maxAttempts', async () => {
    const push = stalledPush({ requestTimeoutMs: 50, deadlineMs: 60_000, maxAttempts: 3 });

    expect(await push.post(fakeConnectionId(), PONG)).toBe('failed');

    expect(attempts).toHaveLength(3);
    expect(errors).toEqual([expect.objectContaining({ error: 'TimeoutError' })]);
  });

  it('stops at the deadline with attempts left, cutting the attempt in flight', async () => {
    const push = stalledPush({ requestTimeoutMs: 60_000, deadlineMs: 100, maxAttempts: 4 });

    expect(await push.post(fakeConnectionId(), PONG)).toBe('failed');
    await push.disconnect(fakeConnectionId());

    expect(attempts).toHaveLength(2);
    expect(errors.map((details) => details.operation)).toEqual(['post', 'delete']);
  });
});
