import { describe, expect, it } from 'vitest';
import type { TokenClaims } from '../../shared/domain/auth/ports.js';
import { dependencyUnavailable } from '../../shared/domain/errors.js';
import { handleConnect, handleDisconnect } from '../../shared/ws/handle-connect-disconnect.js';
import type { WebSocketEvent } from '../../shared/ws/websocket-event.js';
import { fakeRealtimeDeps } from '../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const ALLOWED = 'https://chat.example.test';
const CONNECTION_ID = 'abcdefghijklmno=';

const connectEvent = (
  headers: Record<string, string> = {},
  query?: Record<string, string>,
): WebSocketEvent => ({
  requestContext: {
    routeKey: '$connect',
    eventType: 'CONNECT',
    connectionId: CONNECTION_ID,
    domainName: 'localhost',
    stage: 'local',
  },
  headers,
  queryStringParameters: query ?? null,
});

function arrange() {
  const fakes = fakeRealtimeDeps();
  const verified: string[] = [];
  fakes.deps.tokens = {
    verifyAccess: async (token): Promise<TokenClaims | null> => {
      verified.push(token);
      if (token !== 'good.access.token') return null;
      return { userId: ALICE, sessionId: 's-1', tokenId: 't-1', issuedAtSeconds: 0, expiresAtSeconds: 9e9 };
    },
  };
  const logs: { message: string; details: Record<string, unknown> }[] = [];
  const log = (message: string, details: Record<string, unknown>) => logs.push({ message, details });
  return { ...fakes, verified, logs, log };
}

describe('handleConnect', () => {
  it('accepts a ticket and records the connection under the ticket grant', async () => {
    const { deps, connections, log } = arrange();
    const ticket = await deps.tickets.issue({ userId: ALICE, sessionId: 's-1' }, 30);

    const result = await handleConnect(deps, connectEvent({ Origin: ALLOWED }, { ticket }), log);

    expect(result).toEqual({ statusCode: 200 });
    expect(await connections.find(CONNECTION_ID)).toEqual({
      connectionId: CONNECTION_ID,
      userId: ALICE,
      sessionId: 's-1',
    });
  });

  it.each(['Bearer', 'bearer', 'BEARER'])('accepts the %s scheme in any header casing', async (scheme) => {
    const { deps, log } = arrange();

    const result = await handleConnect(
      deps,
      connectEvent({ AUTHORIZATION: `${scheme} good.access.token` }),
      log,
    );

    expect(result.statusCode).toBe(200);
  });

  it('refuses another Authorization scheme with 401 without verifying anything', async () => {
    const { deps, verified, connections, log } = arrange();

    const result = await handleConnect(deps, connectEvent({ Authorization: 'Basic good.access.token' }), log);

    expect(result).toEqual({ statusCode: 401, body: JSON.stringify({ code: 'unauthenticated' }) });
    expect(verified).toEqual([]);
    expect(connections.records.size).toBe(0);
  });

  it('refuses a foreign Origin (header in any case) with 403 and leaves the ticket unspent', async () => {
    const { deps, connections, log } = arrange();
    const ticket = await deps.tickets.issue({ userId: ALICE, sessionId: 's-1' }, 30);

    const result = await handleConnect(
      deps,
      connectEvent({ ORIGIN: 'https://evil.example' }, { ticket }),
      log,
    );

    expect(result).toEqual({ statusCode: 403, body: JSON.stringify({ code: 'forbidden' }) });
    expect(connections.records.size).toBe(0);
    expect(await deps.tickets.consume(ticket)).not.toBeNull();
  });

  it('refuses a ticket whose session has been revoked', async () => {
    const { deps, connections, revokedSessions, log } = arrange();
    const ticket = await deps.tickets.issue({ userId: ALICE, sessionId: 's-1' }, 30);
    revokedSessions.add('s-1');

    const result = await handleConnect(deps, connectEvent({}, { ticket }), log);

    expect(result.statusCode).toBe(401);
    expect(connections.records.size).toBe(0);
  });

  it('answers 503 when a store is down', async () => {
    const { deps, log } = arrange();
    deps.tickets.consume = async () => {
      throw dependencyUnavailable('Redis');
    };

    const result = await handleConnect(deps, connectEvent({}, { ticket: 'x'.repeat(43) }), log);

    expect(result).toEqual({ statusCode: 503, body: JSON.stringify({ code: 'dependency_unavailable' }) });
  });

  it('answers a bare 500 for an unexpected failure, logs it and never rejects', async () => {
    const { deps, logs, log } = arrange();
    deps.connections.add = async () => {
      throw new Error('secret internals');
    };

    const result = await handleConnect(
      deps,
      connectEvent({ authorization: 'Bearer good.access.token' }),
      log,
    );

    expect(result).toEqual({ statusCode: 500 });
    expect(logs).toEqual([expect.objectContaining({ message: 'connect failed' })]);
  });
});

describe('handleDisconnect', () => {
  const disconnectEvent: WebSocketEvent = {
    requestContext: {
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      connectionId: CONNECTION_ID,
      domainName: 'localhost',
      stage: 'local',
    },
  };

  it('removes the connection record', async () => {
    const { deps, connections, log } = arrange();
    await connections.add({ connectionId: CONNECTION_ID, userId: ALICE, sessionId: 's-1' });

    expect(await handleDisconnect(deps, disconnectEvent, log)).toEqual({ statusCode: 200 });
    expect(connections.records.size).toBe(0);
  });

  it('answers 200 and logs when cleanup fails, since TTLs clean up later', async () => {
    const { deps, logs, log } = arrange();
    deps.connections.find = async () => {
      throw dependencyUnavailable('Redis');
    };

    expect(await handleDisconnect(deps, disconnectEvent, log)).toEqual({ statusCode: 200 });
    expect(logs).toEqual([expect.objectContaining({ message: 'disconnect cleanup failed' })]);
  });
});
