import {
  API_PATH_PREFIXES,
  contentSecurityPolicy,
  originVerifyInjection,
  siteHeadersInjection,
} from './web-edge';

/**
 * One CloudFront site (the Router) serves the browser client and, on API_PATH_PREFIXES, the HTTP API (see
 * web-edge.ts). Its viewer-request function tells the API the viewer's IP, vouched for by `originVerifySecret`
 * (stacks/secrets.ts); its viewer-response function adds the client's security headers to non-API responses.
 */
export function createRouter(ws: sst.aws.ApiGatewayWebSocket, originVerifySecret: $util.Output<string>) {
  return new sst.aws.Router('Web', {
    edge: {
      viewerRequest: { injection: originVerifySecret.apply(originVerifyInjection) },
      viewerResponse: { injection: ws.url.apply((url) => siteHeadersInjection(contentSecurityPolicy(url))) },
    },
  });
}

/** Sends the API's paths to the HTTP API; the longest matching prefix wins, so `/` stays with the site. */
export function routeApi(router: sst.aws.Router, api: sst.aws.ApiGatewayV2) {
  for (const prefix of API_PATH_PREFIXES) router.route(prefix, api.url);
}

/**
 * The Vite build of web/ plus `/config.json` (`{ wsUrl }`, written at deploy time so one build serves every
 * stage), uploaded to S3 and served at `/` of the Router.
 */
export function createWebSite(router: sst.aws.Router, ws: sst.aws.ApiGatewayWebSocket) {
  return new sst.aws.StaticSite('WebClient', {
    // The repository root, not web/: with a vite.config.ts in `path`, SST writes web/src/sst-env.d.ts.
    path: '.',
    build: {
      command: `npm run build:web && node -e "require('node:fs').writeFileSync('web/dist/config.json', process.env.WEB_CONFIG)"`,
      output: 'web/dist',
    },
    environment: { WEB_CONFIG: $jsonStringify({ wsUrl: ws.url }) },
    assets: {
      // Later entries win. Vite content-hashes everything under assets/.
      fileOptions: [
        { files: '**', cacheControl: 'no-cache' },
        { files: 'assets/**', cacheControl: 'public,max-age=31536000,immutable' },
        { files: 'config.json', cacheControl: 'no-store' },
      ],
    },
    router: { instance: router },
    // Deployed under `sst dev` too, so the page stays same-site with the (deployed) HTTP API.
    dev: false,
  });
}
