import type { DevCredentials } from './dev-credentials.js';
import type { LambdaContext } from './lambda-context.js';

export type WebSocketEventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

export interface WebSocketRequestContext {
  routeKey: string;
  eventType: WebSocketEventType;
  /** Only on MESSAGE events. */
  messageId?: string;
  /** Only on DISCONNECT events. */
  disconnectStatusCode?: number;
  /** Only on DISCONNECT events. */
  disconnectReason?: string;
  extendedRequestId: string;
  requestTime: string;
  messageDirection: 'IN';
  stage: string;
  connectedAt: number;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent: string };
  requestId: string;
  domainName: string;
  connectionId: string;
  apiId: string;
  /** Set by a Lambda authorizer on AWS; this emulator has no authorizers, so it is never present. */
  authorizer?: Record<string, unknown>;
}

/** The WebSocket proxy event (1.0-style shape, no `version` field). */
export interface WebSocketEvent {
  /** $connect: the handshake headers as sent; $disconnect: a fixed stub; absent on messages. */
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  /** $connect only, and only when the URL has a query string. */
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  /** Message events only: the text frame. */
  body?: string;
  requestContext: WebSocketRequestContext;
  isBase64Encoded: false;
}

export type WsLambdaHandler = (event: WebSocketEvent, context: LambdaContext) => Promise<unknown>;

export interface WsRouteHandlers {
  $connect?: WsLambdaHandler;
  $disconnect?: WsLambdaHandler;
  $default?: WsLambdaHandler;
  [routeKey: string]: WsLambdaHandler | undefined;
}

export interface WsGatewayOptions {
  routes: WsRouteHandlers;
  port?: number;
  host?: string;
  /** Default 'local'. */
  stage?: string;
  /** Default '$request.body.action'. */
  routeSelectionExpression?: string;
  /** Default 10 minutes. */
  idleTimeoutMs?: number;
  /** Default 2 hours. */
  maxConnectionMs?: number;
  /** Default 29 seconds. */
  integrationTimeoutMs?: number;
  /**
   * The keys whose SigV4 signatures the management API accepts. Default: AWS_ACCESS_KEY_ID and
   * AWS_SECRET_ACCESS_KEY of this process, which is what an in-process SDK client signs with; starting
   * fails when neither is given, so the management API is never open.
   */
  credentials?: readonly DevCredentials[];
  /** The region management requests must be signed for. Default 'us-east-1'. */
  region?: string;
}

export interface RunningWsGateway {
  /** ws://host:port; clients connect at the bare URL (ws://host:port/{stage} works too). */
  url: string;
  /** http://host:port/{stage}, the endpoint for ApiGatewayManagementApiClient. */
  managementEndpoint: string;
  port: number;
  connectionCount(): number;
  close(): Promise<void>;
}

/** What the management API needs from a registered connection. */
export interface ManagedConnection {
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  send(data: Buffer): boolean;
  disconnect(): void;
}
