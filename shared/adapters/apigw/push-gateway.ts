import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Metrics } from '../../domain/metrics.js';
import type { PushGateway, PushOutcome } from '../../domain/realtime/ports.js';
import type { ServerFrame } from '../../domain/realtime/server-frames.js';

export interface PushGatewayOptions {
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or the local emulator's endpoint. */
  endpoint: string;
  region: string;
  maxAttempts?: number;
  /** Per attempt: establishing the connection (default 1 s). */
  connectTimeoutMs?: number;
  /** Per attempt: the whole request, connecting included (default 2 s). */
  requestTimeoutMs?: number;
  /** Every attempt of one push together, backoff included (default 4 s); then it is 'failed'. */
  deadlineMs?: number;
  onError?: (message: string, details: Record<string, unknown>) => void;
  /**
   * Counts each frame push once, by final outcome: PushOk, PushGone (410), PushThrottled (still 429 when the
   * retries ran out) or PushError (anything else). A 429 that a retry got past counts as PushOk.
   */
  metrics?: Metrics;
}

export const PUSH_LIMITS = { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, deadlineMs: 4_000 } as const;

type SdkModule = typeof import('@aws-sdk/client-apigatewaymanagementapi');

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

// Throttling (429) and server errors are worth retrying; 410 (gone) and 4xx are final.
const isRetryable = (status: number | undefined): boolean =>
  status === undefined || status === 429 || status >= 500;

type PushMetric = 'PushOk' | 'PushGone' | 'PushThrottled' | 'PushError';

const backoffMs = (attempt: number): number => 25 * 2 ** attempt + Math.random() * 25 * 2 ** attempt;

/**
 * The management API behind the PushGateway port. The SDK (about half of a bundle) is imported on first
 * use, so HTTP routes that never push pay nothing for it at cold start. The SDK's own retries are off:
 * it does not retry 429 LimitExceeded, and we want jittered backoff for both 429 and 5xx.
 *
 * Every wait is bounded, so a stalled network path cannot hold a Lambda until its own timeout: the SDK's
 * default Node handler has no connect or request timeout (only a 5-minute idle socket timeout), and its
 * `requestTimeout` merely logs unless `throwOnRequestTimeout` is set. An attempt is cut at `requestTimeoutMs`,
 * and all attempts of one push together at `deadlineMs`.
 */
export function createPushGateway(options: PushGatewayOptions): PushGateway {
  const maxAttempts = options.maxAttempts ?? 4;
  const deadlineMs = options.deadlineMs ?? PUSH_LIMITS.deadlineMs;
  let loaded: Promise<{ sdk: SdkModule; client: ApiGatewayManagementApiClient }> | undefined;
  const load = () => {
    loaded ??= import('@aws-sdk/client-apigatewaymanagementapi').then((sdk) => ({
      sdk,
      client: new sdk.ApiGatewayManagementApiClient({
        endpoint: options.endpoint,
        region: options.region,
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: options.connectTimeoutMs ?? PUSH_LIMITS.connectTimeoutMs,
          requestTimeout: options.requestTimeoutMs ?? PUSH_LIMITS.requestTimeoutMs,
          throwOnRequestTimeout: true,
        },
      }),
    }));
    return loaded;
  };

  const metrics = options.metrics;

  // Once per frame push, whatever its retries; closing a socket (DeleteConnection) is not a push.
  const counted = (operation: 'post' | 'delete', outcome: PushOutcome, metric: PushMetric): PushOutcome => {
    if (operation === 'post') metrics?.count(metric);
    return outcome;
  };

  async function withRetries(
    operation: 'post' | 'delete',
    connectionId: string,
    send: (abortSignal: AbortSignal) => Promise<unknown>,
  ): Promise<PushOutcome> {
    const startedAt = performance.now();
    const deadline = AbortSignal.timeout(deadlineMs);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await send(deadline);
        return counted(operation, 'delivered', 'PushOk');
      } catch (error) {
        const status = statusOf(error);
        if (status === 410) return counted(operation, 'gone', 'PushGone');
        const wait = backoffMs(attempt);
        const timeLeft = deadlineMs - (performance.now() - startedAt) - wait;
        if (!isRetryable(status) || attempt + 1 >= maxAttempts || deadline.aborted || timeLeft <= 0) {
          options.onError?.('push failed', { operation, connectionId, status, error: (error as Error).name });
          return counted(operation, 'failed', status === 429 ? 'PushThrottled' : 'PushError');
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  return {
    async post(connectionId, frame: ServerFrame) {
      const { sdk, client } = await load();
      const data = new TextEncoder().encode(JSON.stringify(frame));
      return withRetries('post', connectionId, (abortSignal) =>
        client.send(new sdk.PostToConnectionCommand({ ConnectionId: connectionId, Data: data }), {
          abortSignal,
        }),
      );
    },
    async disconnect(connectionId) {
      const { sdk, client } = await load();
      await withRetries('delete', connectionId, (abortSignal) =>
        client.send(new sdk.DeleteConnectionCommand({ ConnectionId: connectionId }), { abortSignal }),
      );
    },
  };
}

/** Used when no WebSocket API is configured: nothing is connected, so every push finds the socket gone. */
export const noWebSocketApi: PushGateway = {
  post: async () => 'gone',
  disconnect: async () => {},
};
