import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpApiEvent, HttpApiResult, HttpLambdaHandler } from './http-gateway.js';
import { staticResponse } from './static-site.js';

/**
 * `/docs` under `npm start` only (deployed functions serve no docs UI, just `/openapi.json`): Scalar's API
 * reference, pinned by package-lock.json (devDependency @scalar/api-reference) and served from this origin,
 * never from a CDN. The page sits on the API's origin, where any script could make cookie-carrying
 * requests, so it runs nothing but those two same-origin files and talks to nothing but this origin.
 */
interface ApiDocs {
  /** Wraps the API handler: GET/HEAD of the docs paths are answered here, everything else goes through. */
  wrap(api: HttpLambdaHandler): HttpLambdaHandler;
  /** The renderer's package version, for the start banner. */
  version: string;
}

interface Asset {
  body: Buffer;
  type: string;
  /** For the script tag's `integrity`: the browser refuses the file if it ever differs. */
  integrity: string;
}

const DOCS_PATH = '/docs';
const INIT_PATH = '/docs/init.js';
const TITLE = 'Serverless auth + chat API';

// Only the spec from this origin; no default fonts, telemetry, AI agent or developer toolbar, all of
// which would fetch from Scalar's servers (the CSP refuses them anyway).
const CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  persistAuth: false,
};

const asset = (body: Buffer, type: string): Asset => ({
  body,
  type,
  integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
});

/**
 * Scripts: only the two same-origin files, no inline script, no eval (the bundle's zod only probes for it
 * and falls back). Styles must allow 'unsafe-inline': Vue components and the toast library inject style
 * elements and style attributes without a nonce. CSS cannot run script, and every URL a style could load
 * or leak data to (img, font, connect) is limited to this origin.
 */
const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

const scriptTag = (src: string, file: Asset): string =>
  `<script src="${src}" integrity="${file.integrity}"></script>`;

function page(scripts: [string, Asset][]): Buffer {
  return Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${TITLE}</title>
  </head>
  <body>
    <div id="app"></div>
    ${scripts.map(([src, file]) => scriptTag(src, file)).join('\n    ')}
  </body>
</html>
`);
}

async function loadRenderer(): Promise<{ version: string; script: Asset }> {
  // The package's exports map hides dist/browser and package.json, so go from its entry (dist/index.js).
  const dist = dirname(createRequire(import.meta.url).resolve('@scalar/api-reference'));
  const [script, manifest] = await Promise.all([
    readFile(join(dist, 'browser', 'standalone.js')),
    readFile(join(dist, '..', 'package.json'), 'utf8'),
  ]);
  const { version } = JSON.parse(manifest) as { version: string };
  return { version, script: asset(script, 'text/javascript; charset=utf-8') };
}

/** Loads the pinned renderer from node_modules once; fails when it is not installed. */
async function createApiDocs(): Promise<ApiDocs> {
  const { version, script } = await loadRenderer();
  const init = asset(
    Buffer.from(`Scalar.createApiReference('#app', ${JSON.stringify(CONFIGURATION)});\n`),
    'text/javascript; charset=utf-8',
  );
  // The version is in the path, so a new pin is a new URL and the old one can be cached for good.
  const scriptPath = `/docs/assets/scalar-api-reference-${version}.js`;
  const scripts: [string, Asset][] = [
    [scriptPath, script],
    [INIT_PATH, init],
  ];
  const files = new Map(scripts);
  const html = page(scripts);

  const serve = (event: HttpApiEvent): HttpApiResult | undefined => {
    if (event.rawPath === DOCS_PATH) {
      return staticResponse(event, 200, html, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': DOCS_CONTENT_SECURITY_POLICY,
        'cross-origin-opener-policy': 'same-origin',
        'x-frame-options': 'DENY',
      });
    }
    const file = files.get(event.rawPath);
    if (!file) return undefined;
    return staticResponse(event, 200, file.body, {
      'content-type': file.type,
      'cache-control': file === script ? 'public, max-age=31536000, immutable' : 'no-cache',
      'cross-origin-resource-policy': 'same-origin',
    });
  };

  return {
    version,
    wrap: (api) => async (event, context) => {
      const { method } = event.requestContext.http;
      const answer = method === 'GET' || method === 'HEAD' ? serve(event) : undefined;
      return answer ?? api(event, context);
    },
  };
}

/** The API handler with `/docs` in front of it; without the renderer installed, the API alone. */
export async function localApiDocs(
  api: HttpLambdaHandler,
): Promise<{ handler: HttpLambdaHandler; note: string }> {
  try {
    const docs = await createApiDocs();
    return {
      handler: docs.wrap(api),
      note: `Scalar API reference ${docs.version}, served from node_modules`,
    };
  } catch (error) {
    console.error(`[docs] @scalar/api-reference is not installed (npm ci); no /docs:\n${String(error)}`);
    return { handler: api, note: 'not available, see above' };
  }
}
