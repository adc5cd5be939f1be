// Plain TypeScript (no SST globals): stacks/web.ts uses it, and tests/infra checks it against local/static-site.ts.

/**
 * One CloudFront site (the Router) serves the browser client and, on the paths below, the HTTP API: page and
 * API share an origin, so the HttpOnly SameSite=Strict cookies (`__Host-access` on `/`, `__Secure-refresh` on
 * `/auth/refresh`) work as on `npm start` (web/README.md, "Deployment contract"). No prefix is added: the
 * refresh cookie's Path must match the path the browser calls.
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
  '/docs',
] as const;

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
  var api = ${JSON.stringify(API_PATH_PREFIXES)}.some(function (p) { return uri === p || uri.indexOf(p + '/') === 0; });
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
