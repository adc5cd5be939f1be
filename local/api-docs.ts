import { createHash, randomBytes } from 'node:crypto';
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
export interface ApiDocs {
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

export const DOCS_PATH = '/docs';
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

/** Scalar's own style element carries the nonce it reads from `<meta property="csp-nonce">`. */
export function docsContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(scriptPath: string, scripts: Asset[], nonce: string): string {
  const [renderer, init] = scripts;
  const tag = (src: string, file: Asset | undefined) =>
    `<script src="${src}" integrity="${file?.integrity}"></script>`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta property="csp-nonce" content="${nonce}" />
    <title>${TITLE}</title>
  </head>
  <body>
    <div id="app"></div>
    ${tag(scriptPath, renderer)}
    ${tag(INIT_PATH, init)}
  </body>
</html>
`;
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
export async function createApiDocs(): Promise<ApiDocs> {
  const { version, script } = await loadRenderer();
  const init = asset(
    Buffer.from(`Scalar.createApiReference('#app', ${JSON.stringify(CONFIGURATION)});\n`),
    'text/javascript; charset=utf-8',
  );
  // The version is in the path, so a new pin is a new URL and the old one can be cached for good.
  const scriptPath = `/docs/assets/scalar-api-reference-${version}.js`;
  const files = new Map([
    [scriptPath, script],
    [INIT_PATH, init],
  ]);

  const serve = (event: HttpApiEvent): HttpApiResult | undefined => {
    if (event.rawPath === DOCS_PATH) {
      const nonce = randomBytes(18).toString('base64');
      return staticResponse(event, 200, Buffer.from(page(scriptPath, [script, init], nonce)), {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': docsContentSecurityPolicy(nonce),
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
