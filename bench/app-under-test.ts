import { handle } from 'hono/aws-lambda';
import { type HttpLambdaHandler, startHttpGateway } from '../local/http-gateway.js';
import { createDeps } from '../shared/composition/http-deps.js';
import type { Env } from '../shared/config/env.js';
import { createApp } from '../shared/http/create-app.js';

const CLIENT_IP = '198.51.100.7';

/** Sends one request and returns the response with its body already read (so timings include it). */
export type Client = (path: string, init?: RequestInit) => Promise<{ status: number; body: string }>;

/**
 * API Gateway hands the Lambda the client's Content-Length, and Hono's body limit trusts it; a bare
 * `new Request(url, { body })` has none and would take the slower stream-counting path instead.
 */
function withContentLength(init: RequestInit): RequestInit {
  if (typeof init.body !== 'string') return init;
  const headers = new Headers(init.headers);
  if (!headers.has('content-length')) headers.set('content-length', String(Buffer.byteLength(init.body)));
  return { ...init, headers };
}

/**
 * The app built exactly as `functions/http.ts` builds it, reachable two ways: in-process (`app.request`,
 * with the Lambda event bindings the adapter would pass) and over real HTTP through the local API Gateway
 * emulator wrapping `handle(app)`.
 */
export async function startAppUnderTest(env: Env) {
  const built = await createDeps(env);
  const app = createApp(built.deps);
  const gateway = await startHttpGateway({
    handler: handle(app) as unknown as HttpLambdaHandler,
    functionName: 'bench-http',
  });

  const inProcess: Client = async (path, init = {}) => {
    const bindings = {
      event: { requestContext: { requestId: crypto.randomUUID(), http: { sourceIp: CLIENT_IP } } },
    };
    const res = await app.request(path, withContentLength(init), bindings);
    return { status: res.status, body: await res.text() };
  };

  // Node's global fetch (undici) keeps the connection alive between requests.
  const viaGateway: Client = async (path, init = {}) => {
    const res = await fetch(`${gateway.url}${path}`, init);
    return { status: res.status, body: await res.text() };
  };

  return {
    ...built,
    env,
    app,
    gateway,
    inProcess,
    viaGateway,
    async stop(): Promise<void> {
      await gateway.close();
      await built.close();
    },
  };
}

export type AppUnderTest = Awaited<ReturnType<typeof startAppUnderTest>>;

export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Fails loudly: timing error responses would make every figure meaningless. */
export function expectStatus(res: { status: number; body: string }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.body}`);
}
