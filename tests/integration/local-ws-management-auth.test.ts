import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevCredentials, generateDevCredentials } from '../../local/dev-credentials.js';
import { NodeSha256 } from '../../local/sigv4-verifier.js';
import { type RunningWsGateway, startWsGateway } from '../../local/ws-gateway.js';
import { openSocket, type TestSocket } from '../support/realtime-ws-client.js';

// Issue 8 item 11: the emulator's @connections API must only obey requests signed with this run's key.
const REGION = 'eu-central-1';
const CREDENTIALS = generateDevCredentials();
const MINUTE = 60_000;

interface RawCall {
  method: 'GET' | 'POST' | 'DELETE';
  connectionId: string;
  body?: string;
}

interface SignOptions {
  credentials?: DevCredentials;
  signingDate?: Date;
  /** False: sign without an x-amz-content-sha256 header (the signer then hashes the body itself). */
  signPayloadHash?: boolean;
}

function sdk(
  gateway: RunningWsGateway,
  overrides: { credentials?: DevCredentials; region?: string; systemClockOffset?: number } = {},
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: overrides.region ?? REGION,
    credentials: overrides.credentials ?? CREDENTIALS,
    maxAttempts: 1,
    ...(overrides.systemClockOffset !== undefined && { systemClockOffset: overrides.systemClockOffset }),
  });
}

async function rejection(work: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await work;
  } catch (error) {
    const { name, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name, status: $metadata?.httpStatusCode };
  }
  throw new Error('the management API accepted the request');
}

describe('local management API signature check', () => {
  let gateway: RunningWsGateway;
  let client: ApiGatewayManagementApiClient;
  const connected: string[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    gateway = await startWsGateway({
      region: REGION,
      credentials: [CREDENTIALS],
      routes: {
        $connect: async (event) => {
          connected.push(event.requestContext.connectionId);
          return { statusCode: 200 };
        },
      },
    });
    client = sdk(gateway);
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  afterAll(async () => {
    client?.destroy();
    await gateway?.close();
  });

  async function connect(): Promise<{ socket: TestSocket; connectionId: string }> {
    const socket = await openSocket(gateway.url);
    sockets.push(socket);
    const connectionId = connected.at(-1);
    if (!connectionId) throw new Error('no $connect recorded');
    return { socket, connectionId };
  }

  /**
   * Proves a refused call had no effect: a correctly signed post still reaches the socket (so it was not
   * closed) and is the only frame it ever got (so nothing forged was delivered before it).
   */
  async function expectUntouched(socket: TestSocket, connectionId: string): Promise<void> {
    const marker = `marker-${connectionId}`;
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: marker }));
    await socket.waitForFrame((frame) => frame === marker);
    expect(socket.frames).toEqual([{ text: marker, isBinary: false }]);
  }

  const urlOf = (connectionId: string) =>
    new URL(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`);

  /** A request signed with SignatureV4 itself, for the cases the SDK client never produces. */
  async function signed(call: RawCall, options: SignOptions = {}): Promise<Record<string, string>> {
    const url = urlOf(call.connectionId);
    const signer = new SignatureV4({
      credentials: options.credentials ?? CREDENTIALS,
      region: REGION,
      service: 'execute-api',
      sha256: NodeSha256,
      applyChecksum: options.signPayloadHash ?? true,
    });
    const request = await signer.sign(
      {
        method: call.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers: { host: url.host, ...(call.body !== undefined && { 'content-type': 'application/json' }) },
        body: call.body,
      },
      { signingDate: options.signingDate ?? new Date() },
    );
    const { host: _host, ...headers } = request.headers;
    return headers;
  }

  const send = (call: RawCall, headers: Record<string, string>) =>
    fetch(urlOf(call.connectionId), { method: call.method, headers, body: call.body });

  async function expectRefused(res: Response, errorType: string): Promise<void> {
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe(errorType);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys((await res.json()) as object)).toEqual(['message']);
  }

  it('serves the unmodified SDK client signing with the dev credentials', async () => {
    const { socket, connectionId } = await connect();

    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'hello' }));
    await socket.waitForFrame((frame) => frame === 'hello');
    const info = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));

    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect((await socket.closed).code).toBe(1000);
  });

  it.each<[string, Record<string, string>, string]>([
    ['no Authorization header', {}, 'MissingAuthenticationTokenException'],
    ['a bare scheme', { authorization: 'AWS4-HMAC-SHA256 x' }, 'IncompleteSignatureException'],
    ['a bearer token', { authorization: 'Bearer x' }, 'IncompleteSignatureException'],
    [
      'a well-formed header with a made-up signature',
      {
        authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20260101/${REGION}/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      },
      'InvalidSignatureException',
    ],
  ])('refuses %s and neither delivers nor closes anything', async (_case, headers, errorType) => {
    const { socket, connectionId } = await connect();

    await expectRefused(await send({ method: 'POST', connectionId, body: '"forged"' }, headers), errorType);
    await expectRefused(await send({ method: 'DELETE', connectionId }, headers), errorType);
    await expectRefused(await send({ method: 'GET', connectionId }, headers), errorType);

    await expectUntouched(socket, connectionId);
  });

  it.each<[string, () => ApiGatewayManagementApiClient, string]>([
    [
      'a wrong secret',
      () =>
        sdk(gateway, {
          credentials: { ...CREDENTIALS, secretAccessKey: generateDevCredentials().secretAccessKey },
        }),
      'InvalidSignatureException',
    ],
    [
      'an unknown access key',
      () => sdk(gateway, { credentials: generateDevCredentials() }),
      'UnrecognizedClientException',
    ],
    [
      'the old fixed local/local key',
      () => sdk(gateway, { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      'UnrecognizedClientException',
    ],
    [
      'a signature scoped to another region',
      () => sdk(gateway, { region: 'us-east-1' }),
      'InvalidSignatureException',
    ],
  ])('refuses the SDK client signing with %s', async (_case, makeClient, errorType) => {
    const { socket, connectionId } = await connect();
    const intruder = makeClient();
    try {
      const post = new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'forged' });
      const remove = new DeleteConnectionCommand({ ConnectionId: connectionId });
      expect(await rejection(intruder.send(post))).toEqual({ name: errorType, status: 403 });
      expect(await rejection(intruder.send(remove))).toEqual({ name: errorType, status: 403 });
    } finally {
      intruder.destroy();
    }

    await expectUntouched(socket, connectionId);
  });

  it('refuses a tampered body, whether or not its hash was signed', async () => {
    const { socket, connectionId } = await connect();
    const original: RawCall = { method: 'POST', connectionId, body: '"hello"' };
    const tampered: RawCall = { ...original, body: '"forged"' };

    const withHash = await signed(original);
    expect(withHash['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    await expectRefused(await send(tampered, withHash), 'InvalidSignatureException');
    const withoutHash = await signed(original, { signPayloadHash: false });
    expect(withoutHash).not.toHaveProperty('x-amz-content-sha256');
    await expectRefused(await send(tampered, withoutHash), 'InvalidSignatureException');

    await expectUntouched(socket, connectionId);
    expect((await send(original, await signed(original))).status).toBe(200);
    await socket.waitForFrame((frame) => frame === 'hello');
  });

  it('refuses a signature made for another connection or another method', async () => {
    const victim = await connect();
    const other = await connect();
    const forOther = await signed({ method: 'DELETE', connectionId: other.connectionId });
    const getVictim = await signed({ method: 'GET', connectionId: victim.connectionId });

    await expectRefused(
      await send({ method: 'DELETE', connectionId: victim.connectionId }, forOther),
      'InvalidSignatureException',
    );
    await expectRefused(
      await send({ method: 'DELETE', connectionId: victim.connectionId }, getVictim),
      'InvalidSignatureException',
    );

    await expectUntouched(victim.socket, victim.connectionId);
  });

  it('refuses signatures dated more than five minutes away from now, as AWS does', async () => {
    const { socket, connectionId } = await connect();

    for (const offset of [-6 * MINUTE, 6 * MINUTE]) {
      const skewed = sdk(gateway, { systemClockOffset: offset });
      try {
        const post = new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'replayed' });
        expect(await rejection(skewed.send(post))).toEqual({
          name: 'InvalidSignatureException',
          status: 403,
        });
      } finally {
        skewed.destroy();
      }
    }
    const old = await signed(
      { method: 'DELETE', connectionId },
      { signingDate: new Date(Date.now() - 60 * MINUTE) },
    );
    const res = await send({ method: 'DELETE', connectionId }, old);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
    );

    await expectUntouched(socket, connectionId);
  });

  it('accepts a signature within the five minutes of allowed clock skew', async () => {
    const { socket, connectionId } = await connect();
    const skewed = sdk(gateway, { systemClockOffset: -4 * MINUTE });
    try {
      await skewed.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' }));
    } finally {
      skewed.destroy();
    }
    await socket.waitForFrame((frame) => frame === 'late');
  });

  it('checks the signature before routing, so unsigned callers learn nothing about paths', async () => {
    const res = await fetch(`${gateway.managementEndpoint.replace(/\/local$/, '/prod')}/@connections/x`);
    await expectRefused(res, 'MissingAuthenticationTokenException');
  });
});

describe('starting the emulator without management credentials', () => {
  it('fails instead of leaving the management API open', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      await expect(startWsGateway({ routes: {} })).rejects.toThrow(/credentials/);
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
