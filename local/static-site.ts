import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { HttpApiEvent, HttpApiResult, HttpLambdaHandler } from './http-gateway.js';

/**
 * The browser client on the HTTP API's own origin, as a deployment serves it (same site, so the HttpOnly
 * SameSite=Strict cookies just work): GET/HEAD of `/`, of `/config.json` and of files that exist in
 * web/dist are answered here; everything else — every API route, and unknown paths, which stay 404
 * problem+json — goes to the API handler untouched.
 *
 * `/config.json` is the client's runtime configuration, `{ "wsUrl": "ws://…" }` (see web/README.md).
 */
export interface StaticSiteOptions {
  /** The built client, web/dist. */
  root: string;
  /** Where the browser opens its WebSocket, e.g. ws://127.0.0.1:3001. */
  wsUrl: string;
}

const API_PATHS = new Set(['/auth', '/chat', '/me', '/users', '/health', '/ready', '/openapi.json', '/docs']);
const API_PREFIXES = ['/auth/', '/chat/', '/.well-known/', '/me/', '/users/', '/docs/'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const isApiPath = (path: string): boolean =>
  API_PATHS.has(path) || API_PREFIXES.some((prefix) => path.startsWith(prefix));

/** The page's CSP: scripts and styles only from this origin (no inline), sockets only to the WS API. */
export function contentSecurityPolicy(wsUrl: string): string {
  const wsOrigin = new URL(wsUrl).origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${wsOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A static file's response: ETag/304, nosniff and no referrer, the body base64 as API Gateway carries it. */
export function staticResponse(
  event: HttpApiEvent,
  status: number,
  body: Buffer,
  headers: Record<string, string>,
): HttpApiResult {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  const common = { ...headers, etag, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (event.headers['if-none-match'] === etag) return { statusCode: 304, headers: common };
  return { statusCode: status, headers: common, body: body.toString('base64'), isBase64Encoded: true };
}

/** The file under root for a URL path, or undefined (outside root, a dotfile, a directory, missing). */
async function resolveFile(root: string, rawPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path === '/') path = '/index.html';
  if (path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) return undefined;
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? file : undefined;
}

export function withStaticSite(api: HttpLambdaHandler, options: StaticSiteOptions): HttpLambdaHandler {
  const root = normalize(options.root);
  const csp = contentSecurityPolicy(options.wsUrl);
  const config = Buffer.from(JSON.stringify({ wsUrl: options.wsUrl }));
  return async (event, context) => {
    const { method } = event.requestContext.http;
    if ((method !== 'GET' && method !== 'HEAD') || isApiPath(event.rawPath)) return api(event, context);
    if (event.rawPath === '/config.json') {
      return staticResponse(event, 200, config, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
    }
    const file = await resolveFile(root, event.rawPath);
    if (!file) return api(event, context);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const html = type.startsWith('text/html');
    const immutable = event.rawPath.startsWith('/assets/');
    return staticResponse(event, 200, await readFile(file), {
      'content-type': type,
      // Vite puts a content hash in every asset name; index.html must be revalidated to pick up new ones.
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(html && {
        'content-security-policy': csp,
        'cross-origin-opener-policy': 'same-origin',
        'x-frame-options': 'DENY',
      }),
    });
  };
}

/** The WebSocket URL a browser should use for the local WS emulator bound to host:port. */
export function localWsUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `ws://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Builds web/ when stale and wraps the API handler with the static site; on failure, the API alone. */
export async function withWebClient(
  api: HttpLambdaHandler,
  webDir: string,
  wsUrl: string,
): Promise<{ handler: HttpLambdaHandler; note: string }> {
  try {
    const { ensureWebBuild } = await import('./static-build.js');
    const build = await ensureWebBuild(webDir);
    const note = build.built ? `built in ${build.ms} ms` : 'up to date';
    return { handler: withStaticSite(api, { root: build.dir, wsUrl }), note };
  } catch (error) {
    console.error(`[web] building the browser client failed; serving the API only:\n${String(error)}`);
    return { handler: api, note: 'not available (build failed, see above)' };
  }
}
