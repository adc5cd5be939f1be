/**
 * The WebSocket proxy event as API Gateway sends it (our own type: @types/aws-lambda's lacks `identity`,
 * `disconnectStatusCode`/`disconnectReason` and the `$connect` headers). Header case is as the client sent it.
 */
export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    domainName: string;
    stage: string;
    requestId?: string;
    messageId?: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
    identity?: { sourceIp?: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

/** Case-insensitive header lookup ($connect headers keep the client's casing). */
export function headerOf(event: WebSocketEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
