import { describe, expect, it } from 'vitest';
import { handleConnect, handleDisconnect } from '../../shared/ws/handle-connect-disconnect.js';
import { handleFrame } from '../../shared/ws/handle-frame.js';
import type { WebSocketEvent } from '../../shared/ws/websocket-event.js';
import { fakeRealtimeDeps } from '../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CONNECTION_ID = 'metricsConnId1=';

const event = (routeKey: '$connect' | '$disconnect', query?: Record<string, string>): WebSocketEvent => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : 'DISCONNECT',
    connectionId: CONNECTION_ID,
    domainName: 'localhost',
    stage: 'local',
  },
  headers: { Origin: 'https://chat.example.test' },
  queryStringParameters: query ?? null,
});

const noLog = () => {};

describe('WebSocket business metrics and log keys', () => {
  it('counts a connect, each stored message once (not its retry) and the disconnect', async () => {
    const { deps, metrics } = fakeRealtimeDeps();
    const ticket = await deps.tickets.issue({ userId: ALICE, sessionId: 's-1' }, 30);
    const send = JSON.stringify({ action: 'sendMessage', to: BOB, body: 'hi', clientMsgId: 'm-1' });

    await handleConnect(deps, event('$connect', { ticket }), noLog);
    await handleFrame(deps, CONNECTION_ID, send, noLog);
    await handleFrame(deps, CONNECTION_ID, send, noLog);
    await handleDisconnect(deps, event('$disconnect'), noLog);

    expect(metrics.snapshot()).toEqual({ Connect: 1, MessageStored: 1, Disconnect: 1 });
  });

  it('counts no connect for a refused handshake', async () => {
    const { deps, metrics, requestLog } = fakeRealtimeDeps();

    const result = await handleConnect(deps, event('$connect', { ticket: 'not-a-ticket' }), noLog);

    expect(result.statusCode).toBe(401);
    expect(metrics.snapshot()).toEqual({});
    expect(requestLog.keys).toEqual({ outcome: 'unauthenticated' });
  });

  it('tags the invocation with the connection owner, the action and its outcome', async () => {
    const { deps, connections, requestLog } = fakeRealtimeDeps();
    await connections.add({ connectionId: CONNECTION_ID, userId: ALICE, sessionId: 's-1' });

    await handleFrame(deps, CONNECTION_ID, '{"action":', noLog);

    expect(requestLog.keys).toEqual({ userId: ALICE, outcome: 'malformed_json' });

    await handleFrame(deps, CONNECTION_ID, JSON.stringify({ action: 'ping' }), noLog);

    expect(requestLog.keys).toEqual({ userId: ALICE, action: 'ping', outcome: 'ok' });
  });

  it('tags a connect and a disconnect with the user the connection belonged to', async () => {
    const { deps, requestLog } = fakeRealtimeDeps();
    const ticket = await deps.tickets.issue({ userId: ALICE, sessionId: 's-1' }, 30);

    await handleConnect(deps, event('$connect', { ticket }), noLog);
    expect(requestLog.keys).toEqual({ userId: ALICE, outcome: 'ok' });

    const fresh = fakeRealtimeDeps();
    await fresh.connections.add({ connectionId: CONNECTION_ID, userId: BOB, sessionId: 's-2' });
    await handleDisconnect(fresh.deps, event('$disconnect'), noLog);
    expect(fresh.requestLog.keys).toEqual({ userId: BOB });
  });
});
