// Plain TypeScript (no SST globals): stacks/web.ts uses it, and tests/infra checks it against local/static-site.ts.

/**
 * One CloudFront site (the Router) serves the browser client and, on the paths below, the HTTP API: page and
 * API share an origin, so the HttpOnly SameSite=Strict cookies (`__Host-access` on `/`, `__Secure-refresh` on
 * `/auth`) work as on `npm start` (web/README.md, "Deployment contract"). No prefix is added: the
 * refresh cookie's Path must match the path the browser calls. No `/docs`: the docs UI exists only under
 * `npm start` (local/api-docs.ts); deployed stages publish `/openapi.json` alone.
 */
export const API_PATH_PREFIXES = [
  '/auth',
  '/me',
  '/users',
  '/chat',
  '/health',
  '/ready',
  '/.well-known',
  '/openapi.json',
] as const;

/** CloudFront Functions JS: whether `uri` is one of the API's paths (what the Router sends to the HTTP API). */
const isApiUri = (uri: string): string =>
  `${JSON.stringify(API_PATH_PREFIXES)}.some(function (p) { return ${uri} === p || ${uri}.indexOf(p + '/') === 0; })`;

/** The headers the HTTP API trusts together (shared/http/client-ip.ts; tests/infra checks the names agree). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
export const VIEWER_ADDRESS_HEADER = 'x-viewer-address';

/**
 * Viewer-request code, run before the Router's own routing: on API paths it sets the viewer's IP (as CloudFront
 * saw the TCP connection) and the deploy-time secret proving the request came through here, overwriting
 * whatever the viewer sent; elsewhere it drops both. The managed AllViewerExceptHostHeader origin request
 * policy of SST's Router forwards request headers, these included, to the origin.
 */
export function originVerifyInjection(secret: string): string {
  return `
  (function (request, viewerIp) {
    var h = request.headers;
    delete h['${ORIGIN_VERIFY_HEADER}'];
    delete h['${VIEWER_ADDRESS_HEADER}'];
    if (${isApiUri('request.uri')}) {
      h['${ORIGIN_VERIFY_HEADER}'] = { value: ${JSON.stringify(secret)} };
      h['${VIEWER_ADDRESS_HEADER}'] = { value: viewerIp };
    }
  })(event.request, event.viewer.ip);`;
}

/**
 * The page's CSP, as local/static-site.ts serves it (tests/infra checks they agree): scripts and styles from
 * this origin only (no inline), sockets only to this stage's WebSocket API.
 */
export const contentSecurityPolicy = (wsUrl: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(wsUrl).origin.replace(/^http/, 'ws')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Headers local/static-site.ts sets on the client's files, added at the edge to every non-API response. */
export function siteHeadersInjection(csp: string): string {
  const html = {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  return `
  var uri = event.request.uri;
  var api = ${isApiUri('uri')};
  var h = event.response.headers;
  if (!api) {
    h['x-content-type-options'] = { value: 'nosniff' };
    h['referrer-policy'] = { value: 'no-referrer' };
    var type = h['content-type'];
    if (type && type.value.indexOf('text/html') === 0) {
      var html = ${JSON.stringify(html)};
      for (var k in html) h[k] = { value: html[k] };
    }
  }`;
}
