import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { PushGateway, PushOutcome } from '../../domain/realtime/ports.js';
import type { ServerFrame } from '../../domain/realtime/server-frames.js';

export interface PushGatewayOptions {
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or the local emulator's endpoint. */
  endpoint: string;
  region: string;
  maxAttempts?: number;
  onError?: (message: string, details: Record<string, unknown>) => void;
}

type SdkModule = typeof import('@aws-sdk/client-apigatewaymanagementapi');

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

// Throttling (429) and server errors are worth retrying; 410 (gone) and 4xx are final.
const isRetryable = (status: number | undefined): boolean =>
  status === undefined || status === 429 || status >= 500;

const backoffMs = (attempt: number): number => 25 * 2 ** attempt + Math.random() * 25 * 2 ** attempt;

/**
 * The management API behind the PushGateway port. The SDK (about half of a bundle) is imported on first
 * use, so HTTP routes that never push pay nothing for it at cold start. The SDK's own retries are off:
 * it does not retry 429 LimitExceeded, and we want jittered backoff for both 429 and 5xx.
 */
export function createPushGateway(options: PushGatewayOptions): PushGateway {
  const maxAttempts = options.maxAttempts ?? 4;
  let loaded: Promise<{ sdk: SdkModule; client: ApiGatewayManagementApiClient }> | undefined;
  const load = () => {
    loaded ??= import('@aws-sdk/client-apigatewaymanagementapi').then((sdk) => ({
      sdk,
      client: new sdk.ApiGatewayManagementApiClient({
        endpoint: options.endpoint,
        region: options.region,
        maxAttempts: 1,
      }),
    }));
    return loaded;
  };

  async function withRetries(
    operation: string,
    connectionId: string,
    send: () => Promise<unknown>,
  ): Promise<PushOutcome> {
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      try {
        await send();
        return 'delivered';
      } catch (error) {
        const status = statusOf(error);
        if (status === 410) return 'gone';
        if (!isRetryable(status) || attempt === maxAttempts - 1) {
          options.onError?.('push failed', { operation, connectionId, status, error: (error as Error).name });
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
    return 'failed';
  }

  return {
    async post(connectionId, frame: ServerFrame) {
      const { sdk, client } = await load();
      const data = new TextEncoder().encode(JSON.stringify(frame));
      return withRetries('post', connectionId, () =>
        client.send(new sdk.PostToConnectionCommand({ ConnectionId: connectionId, Data: data })),
      );
    },
    async disconnect(connectionId) {
      const { sdk, client } = await load();
      await withRetries('delete', connectionId, () =>
        client.send(new sdk.DeleteConnectionCommand({ ConnectionId: connectionId })),
      );
    },
  };
}

/** Used when no WebSocket API is configured: nothing is connected, so every push finds the socket gone. */
export const noWebSocketApi: PushGateway = {
  post: async () => 'gone',
  disconnect: async () => {},
};
