import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type RunningWsGateway, startWsGateway, type WsLambdaHandler } from '../../local/ws-gateway.js';
import type { AppDeps } from '../../shared/http/app-deps.js';
import { handleConnect, handleDisconnect } from '../../shared/ws/handle-connect-disconnect.js';
import { handleFrame } from '../../shared/ws/handle-frame.js';
import {
  type Account,
  bearer,
  loginWithTokens,
  registerAccount,
  send,
  sessionIdOf,
  startApp,
  type TestApp,
} from './auth-helpers.js';
import { pollUntil } from './poll.js';
import { useDummyAwsCredentials } from './realtime-fake-management-api.js';
import { jsonPost } from './test-env.js';

export const ALLOWED_ORIGIN = 'https://chat.example.test';

type Log = (message: string, details: Record<string, unknown>) => void;

export interface RealtimeHarness {
  gateway: RunningWsGateway;
  built: TestApp & { stop(): Promise<void> };
  deps: AppDeps;
  /** Whatever a handler let escape to the gateway; must stay empty. */
  escaped: unknown[];
  logged: { message: string; details: Record<string, unknown> }[];
  /** Routes `$default` frames to other deps (e.g. with Redis down); undefined restores the real ones. */
  useFrameDeps(deps: AppDeps | undefined): void;
  framesHandled(): number;
  /** Waits until every socket that passed `$connect` has had its `$disconnect` run to the end. */
  settled(): Promise<void>;
  /** Every raw Redis key under this harness's prefix. */
  redisKeys(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The shared WS handlers behind the in-process WebSocket API emulator, with deps wired to the real Postgres
 * and Redis and pushing through the unmodified AWS SDK to the emulator's management API.
 */
export async function startRealtimeHarness(overrides: Record<string, string> = {}): Promise<RealtimeHarness> {
  useDummyAwsCredentials();
  const escaped: unknown[] = [];
  const logged: RealtimeHarness['logged'] = [];
  const log: Log = (message, details) => logged.push({ message, details });
  let current: AppDeps | undefined;
  let frameDeps: AppDeps | undefined;
  let open = 0;
  let handled = 0;
  const deps = (): AppDeps => {
    if (!current) throw new Error('deps not built yet');
    return current;
  };
  const guarded =
    (handler: WsLambdaHandler): WsLambdaHandler =>
    async (event, context) => {
      try {
        return await handler(event, context);
      } catch (error) {
        escaped.push(error);
        throw error;
      }
    };
  const gateway = await startWsGateway({
    routes: {
      $connect: guarded(async (event) => {
        const result = await handleConnect(deps(), event, log);
        if (result.statusCode === 200) open += 1;
        return result;
      }),
      $disconnect: guarded(async (event) => {
        try {
          return await handleDisconnect(deps(), event, log);
        } finally {
          open -= 1;
        }
      }),
      $default: guarded(async (event) => {
        await handleFrame(frameDeps ?? deps(), event.requestContext.connectionId, event.body ?? '', log);
        handled += 1;
        return { statusCode: 200 };
      }),
    },
  });
  const built = await startApp({
    WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint,
    WS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    ...overrides,
  });
  current = built.deps;
  const inspector = new Redis(built.env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  inspector.on('error', () => {});
  return {
    gateway,
    built,
    deps: built.deps,
    escaped,
    logged,
    useFrameDeps: (next) => {
      frameDeps = next;
    },
    framesHandled: () => handled,
    settled: async () => {
      await pollUntil(() => (open === 0 ? true : undefined), { what: 'every $disconnect to finish' });
    },
    redisKeys: () => scanKeys(inspector, built.env.REDIS_KEY_PREFIX),
    async stop() {
      await gateway.close();
      inspector.disconnect();
      await built.stop();
    },
  };
}

async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

export interface SignedInUser extends Account {
  accessToken: string;
  sessionId: string;
}

/** Registers a fresh user and signs in with token transport. */
export async function signUp(harness: RealtimeHarness): Promise<SignedInUser> {
  const account = await registerAccount(harness.built.app);
  const { accessToken } = await loginWithTokens(harness.built.app, account);
  return { ...account, accessToken, sessionId: sessionIdOf(accessToken) };
}

/** A WebSocket ticket from `POST /chat/ticket`. */
export async function issueTicket(harness: RealtimeHarness, user: SignedInUser): Promise<string> {
  const res = await send(harness.built.app, '/chat/ticket', {
    method: 'POST',
    headers: bearer(user.accessToken),
  });
  if (res.status !== 200) throw new Error(`ticket failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Where a browser with a ticket connects. */
export const ticketUrl = (harness: RealtimeHarness, ticket: string): string =>
  `${harness.gateway.url}/?ticket=${encodeURIComponent(ticket)}`;

/** Sends a message over HTTP (same use case as the `sendMessage` frame), which makes the two users contacts. */
export async function sendOverHttp(
  harness: RealtimeHarness,
  from: SignedInUser,
  to: SignedInUser,
  body = 'hello',
): Promise<Response> {
  const clientMsgId = `http-${randomUUID()}`;
  return send(
    harness.built.app,
    `/chat/conversations/${to.id}/messages`,
    jsonPost({ body, clientMsgId }, bearer(from.accessToken)),
  );
}

/** `GET /chat/contacts` for a user: who they talked to, with presence. */
export async function contactsOf(
  harness: RealtimeHarness,
  user: SignedInUser,
): Promise<{ user: { id: string }; online: boolean }[]> {
  const res = await send(harness.built.app, '/chat/contacts', { headers: bearer(user.accessToken) });
  if (res.status !== 200) throw new Error(`contacts failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { contacts: { user: { id: string }; online: boolean }[] }).contacts;
}

/** The users among `userIds` with at least one socket whose session is alive (as fan-out sees them). */
export async function onlineAmong(h: RealtimeHarness, userIds: string[]): Promise<Set<string>> {
  const lists = await Promise.all(userIds.map((userId) => h.deps.connections.lookup(userId)));
  return new Set(userIds.filter((_, index) => (lists[index]?.live.length ?? 0) > 0));
}
