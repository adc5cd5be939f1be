import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type LambdaContext,
  webSocketView,
  withLogContext,
} from '../../../shared/composition/log-context.js';
import { createTelemetry } from '../../../shared/composition/telemetry.js';
import type { WebSocketEvent } from '../../../shared/ws/websocket-event.js';

// Lambda runs one invocation at a time per environment and keeps the module (and the logger) warm between
// them: whatever one invocation appends must be gone before the next.

const eventFor = (connectionId: string, requestId: string): WebSocketEvent => ({
  requestContext: {
    routeKey: '$default',
    eventType: 'MESSAGE',
    connectionId,
    requestId,
    domainName: 'localhost',
    stage: 'test',
  },
  body: '{"action":"ping"}',
});

const contextFor = (awsRequestId: string): LambdaContext =>
  ({
    awsRequestId,
    functionName: 'ws-message',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ws-message',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/ws-message',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 1_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as LambdaContext;

let written: string[] = [];

beforeEach(() => {
  written = [];
  // Powertools writes through a Console bound to process.stdout/stderr, as the Lambda runtime expects.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

const lines = (): Record<string, unknown>[] =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('withLogContext', () => {
  it('drops the user id when an invocation ends, so the next one on the warm instance is not tagged with it', async () => {
    const telemetry = createTelemetry('ws-message', { LOG_LEVEL: 'INFO', STAGE: 'unit' });
    const handler = withLogContext(telemetry, webSocketView, async (event: WebSocketEvent) => {
      if (event.requestContext.connectionId === 'alice-conn')
        telemetry.requestLog.append({ userId: 'alice' });
      telemetry.logger.warn('inside');
      return { statusCode: 200 };
    });

    await handler(eventFor('alice-conn', 'req-1'), contextFor('lambda-1'));
    await handler(eventFor('anon-conn', 'req-2'), contextFor('lambda-2'));

    const [aliceInside, aliceSummary, nextInside, nextSummary] = lines();
    expect(aliceInside).toMatchObject({ message: 'inside', userId: 'alice', requestId: 'req-1' });
    expect(aliceSummary).toMatchObject({
      message: 'request',
      userId: 'alice',
      requestId: 'req-1',
      connectionId: 'alice-conn',
      routeKey: '$default',
      status: 200,
      function_request_id: 'lambda-1',
    });
    for (const line of [nextInside, nextSummary]) {
      expect(line).toMatchObject({
        requestId: 'req-2',
        connectionId: 'anon-conn',
        function_request_id: 'lambda-2',
      });
      expect(line).not.toHaveProperty('userId');
    }
  });

  it('flushes what an invocation counted once, also when it throws, and writes nothing for one that counted nothing', async () => {
    const telemetry = createTelemetry('ws-connect', { LOG_LEVEL: 'INFO', STAGE: 'unit' });
    const failing = withLogContext(telemetry, webSocketView, async () => {
      telemetry.metrics.count('Connect');
      throw new Error('boom');
    });
    const quiet = withLogContext(telemetry, webSocketView, async () => ({ statusCode: 200 }));

    await expect(failing(eventFor('c-1', 'req-1'), contextFor('lambda-1'))).rejects.toThrow('boom');
    await quiet(eventFor('c-2', 'req-2'), contextFor('lambda-2'));

    const emf = lines().filter((line) => '_aws' in line);
    expect(emf).toEqual([expect.objectContaining({ Connect: 1, service: 'chat', stage: 'unit' })]);
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'request threw', requestId: 'req-1' }),
    );
  });
});
