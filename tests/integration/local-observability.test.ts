import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricName } from '../../shared/domain/metrics.js';
import { type LocalSystem, startLocalSystem } from '../support/e2e-local-system.js';
import { type LogLine, LogLines } from '../support/log-lines.js';
import { isFrameOfType, openSocket } from '../support/realtime-ws-client.js';

// `npm start` runs the same handlers Lambda runs; what they write to stdout is what CloudWatch would get.
// This drives one user's day through it and reads the metrics (EMF) and the request logs back.

interface EmfRecord extends LogLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
}

const isEmf = (line: LogLine): line is EmfRecord => typeof line._aws === 'object' && line._aws !== null;

/** Sum of every EMF value written for a metric (a record holds one value or an array of them). */
function totals(lines: LogLine[]): Partial<Record<MetricName, number>> {
  const sums: Record<string, number> = {};
  for (const record of lines.filter(isEmf)) {
    for (const { Name } of record._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics)) {
      const value = record[Name];
      const values = Array.isArray(value) ? value : [value];
      sums[Name] = (sums[Name] ?? 0) + values.reduce((sum: number, item) => sum + Number(item), 0);
    }
  }
  return sums;
}

async function post(apiUrl: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

describe('npm start: metrics and request logs', () => {
  const logs = new LogLines();
  let system: LocalSystem;

  beforeAll(async () => {
    system = await startLocalSystem({ onOutputLine: logs.push });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('writes EMF counts for sign-up, logins, refresh, connect, message and disconnect, and request ids and the user id on the log lines', async () => {
    const password = `obs pass ${randomUUID()}`;
    const [alice, bob] = [`obs-a-${randomUUID()}@example.com`, `obs-b-${randomUUID()}@example.com`];
    const registered = await Promise.all(
      [alice, bob].map(async (email) => {
        const res = await post(system.apiUrl, '/auth/register', { email, password, displayName: 'Obs' });
        expect(res.status).toBe(201);
        const { user } = (await res.json()) as { user: { id: string } };
        return { id: user.id, requestId: res.headers.get('x-request-id') };
      }),
    );
    const [aliceId, bobId] = registered.map((user) => user.id) as [string, string];

    const failed = await post(system.apiUrl, '/auth/login', { email: alice, password: 'not the password' });
    expect(failed.status).toBe(401);
    const login = await post(system.apiUrl, '/auth/login', { email: alice, password, transport: 'token' });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
    const refreshed = await post(system.apiUrl, '/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const { accessToken, refreshToken } = (await refreshed.json()) as {
      accessToken: string;
      refreshToken: string;
    };

    const ticketRes = await post(system.apiUrl, '/chat/ticket', {}, accessToken);
    const { ticket } = (await ticketRes.json()) as { ticket: string };
    const socket = await openSocket(`${system.wsUrl}/?ticket=${encodeURIComponent(ticket)}`);
    const body = `secret body ${randomUUID()}`;
    socket.send({ action: 'sendMessage', to: bobId, body, clientMsgId: randomUUID() });
    await socket.waitForFrame(isFrameOfType('ack'));
    const health = await fetch(`${system.apiUrl}/health`);
    const unknown = await fetch(`${system.apiUrl}/no-such-route?token=abc`);
    await socket.close();
    // The last line this run writes ($disconnect's metrics, flushed after its request line): every line before
    // it has been read by then (one pipe, in order).
    await logs.waitFor((line) => isEmf(line) && 'Disconnect' in line);
    const requestLine = (match: (line: LogLine) => boolean, what: string): LogLine => {
      const found = logs.lines.find((line) => line.message === 'request' && match(line));
      if (!found) throw new Error(`no request line for ${what}`);
      return found;
    };
    const lineOf = (res: Response): LogLine => {
      const requestId = res.headers.get('x-request-id');
      return requestLine((line) => line.requestId === requestId, `request id ${requestId}`);
    };

    // Metrics: one EMF record per invocation that counted something, all in one {service, stage} series.
    expect(totals(logs.lines)).toEqual({
      SignUp: 2,
      LoginFailed: 1,
      LoginSucceeded: 1,
      RefreshRotated: 1,
      Connect: 1,
      MessageStored: 1,
      PushOk: 1, // the ack; Bob has no socket
      Disconnect: 1,
    });
    for (const record of logs.lines.filter(isEmf)) {
      expect(record).toMatchObject({ service: 'chat', stage: 'local' });
      for (const directive of record._aws.CloudWatchMetrics) {
        expect(directive).toMatchObject({ Namespace: 'ServerlessChat', Dimensions: [['service', 'stage']] });
        for (const metric of directive.Metrics) expect(metric.Unit).toBe('Count');
      }
    }

    // HTTP: the summary line carries the gateway request id the client saw, the route and, once known, the user.
    const loginLine = lineOf(login);
    expect(loginLine).toMatchObject({ route: '/auth/login', method: 'POST', status: 200, userId: aliceId });
    expect(loginLine.function_request_id).toEqual(expect.any(String));
    expect(loginLine.durationMs).toEqual(expect.any(Number));
    const failedLine = lineOf(failed);
    expect(failedLine).toMatchObject({ route: '/auth/login', status: 401 });
    expect(failedLine).not.toHaveProperty('userId');
    // Refresh carries no access token: the use case tags the line with the refresh token's owner.
    expect(lineOf(refreshed)).toMatchObject({ route: '/auth/refresh', status: 200, userId: aliceId });
    const ticketLine = lineOf(ticketRes);
    expect(ticketLine).toMatchObject({ route: '/chat/ticket', userId: aliceId });
    // Keys are per invocation: two sign-ups in flight at once each carry their own user; the next request none.
    for (const { id, requestId } of registered) {
      expect(requestLine((line) => line.requestId === requestId, `sign-up ${requestId}`)).toMatchObject({
        route: '/auth/register',
        status: 201,
        userId: id,
      });
    }
    const healthLine = lineOf(health);
    expect(healthLine).not.toHaveProperty('userId');
    const unknownLine = lineOf(unknown);
    expect(unknownLine).toMatchObject({ method: 'GET', status: 404 });
    expect(unknownLine).not.toHaveProperty('route');

    // WebSocket: request id, connection id, route key, the connection's user, the frame's action and outcome.
    const frameLine = requestLine((line) => line.routeKey === '$default', 'the message frame');
    expect(frameLine).toMatchObject({ userId: aliceId, action: 'sendMessage', outcome: 'ok', status: 200 });
    expect(frameLine.requestId).toEqual(expect.any(String));
    expect(frameLine.connectionId).toEqual(expect.any(String));
    const connectLine = requestLine((line) => line.routeKey === '$connect', 'the handshake');
    expect(connectLine).toMatchObject({ userId: aliceId, connectionId: frameLine.connectionId, status: 200 });

    // SECURITY.md: no password, token, email or message body in any line.
    const output = JSON.stringify(logs.lines);
    for (const secret of [password, alice, bob, body, ticket, tokens.accessToken, refreshToken]) {
      expect(output).not.toContain(secret);
    }
  });
});
