/// <reference path="./.sst/platform/config.d.ts" />

// SST v4, pinned: `version` makes any other CLI version refuse to run against this app. sst.config.ts may not
// have top-level imports; the component modules in stacks/ are imported inside run(), after SST has defined
// its globals (sst, aws, $app, $dev…).
export default $config({
  app(input) {
    const isProduction = input?.stage === 'production';
    return {
      name: 'serverless-auth-chat',
      version: '4.17.1',
      home: 'aws',
      // Production keeps its data (RDS, buckets, VPC) when removed and refuses `sst remove` while protected.
      removal: isProduction ? 'retain' : 'remove',
      protect: isProduction,
      providers: { aws: { version: '7.20.0', region: 'us-east-1' } },
    };
  },
  async run() {
    const { createNetwork } = await import('./stacks/network');
    const { createStorage } = await import('./stacks/storage');
    const { createOriginVerify, createSecrets, createVerifyKeys } = await import('./stacks/secrets');
    const { createRouter, createWebSite, routeApi } = await import('./stacks/web');
    const { createWebSocketApi, routeWebSocketApi } = await import('./stacks/realtime');
    const { createApi } = await import('./stacks/api');
    const { createMigration } = await import('./stacks/migrate');
    const { createMail } = await import('./stacks/mail');
    const { createMonitoring } = await import('./stacks/monitoring');
    const { isProductionStage } = await import('./stacks/stage');
    const { WEBSOCKET_ROUTES } = await import('./stacks/function-specs');
    const WS_LABELS = Object.values(WEBSOCKET_ROUTES);

    // `sst dev` runs the handlers on this machine against docker-compose's Postgres and Valkey, so it deploys only
    // what live functions need: the two APIs, their routes and the stub functions. No VPC or NAT, RDS,
    // ElastiCache, Router/CloudFront, site or migrator (`npm run db:migrate` migrates the local database).
    const vpc = $dev ? undefined : createNetwork().vpc;
    // Production: MemoryDB (durable) behind the same `Redis` link; other stages: one small ElastiCache node.
    const { db, redis, redisHost, redisEngine } = await createStorage(vpc);
    const secrets = createSecrets();
    // The SES sender (MAIL_FROM at deploy, optional); its link lets only the HTTP function send, only from that identity.
    const mail = createMail();
    // Least privilege: each function links only what it reads (functions/resource-env.ts maps the links).
    const verifyKeys = createVerifyKeys(secrets);
    const ws = createWebSocketApi();
    // The Router vouches for the client IP it forwards to the HTTP API with this (per-IP login limits).
    const originVerify = $dev ? undefined : await createOriginVerify();
    // The Router's URL is the site origin the browser sends: the CORS/CSRF/WebSocket Origin allowlist.
    const router = originVerify && createRouter(ws, originVerify.secret);
    // Migrate first: every API function depends on the invocation, so new code goes live only on the new schema.
    const migration = vpc && createMigration({ vpc, db, redisHost, link: [db, redis] });
    const after = migration ? [migration.invocation] : [];
    const { api, route: httpRoute } = createApi({
      vpc,
      after,
      link: [
        db,
        redis,
        secrets.signingKey,
        secrets.previousPublicKeys,
        secrets.pepper,
        ws,
        ...(mail ? [mail] : []),
        ...(router && originVerify ? [router, originVerify.link] : []),
      ],
    });
    const wsRoutes = routeWebSocketApi(ws, {
      vpc,
      after,
      // Without a Router (`sst dev`) the allowed socket origin is the API's own.
      links: { $connect: [redis, verifyKeys, router ?? api], $disconnect: [redis], $default: [redis] },
    });
    if (router && vpc) {
      routeApi(router, api);
      createWebSite(router, ws);
    }
    // Alarms and the dashboard where someone is paged: production (its Redis is MemoryDB, its Postgres proxied).
    if (isProductionStage() && migration && redisEngine.kind === 'memorydb') {
      createMonitoring({
        httpApiId: api.nodes.api.id,
        wsApiId: ws.nodes.api.id,
        functions: [
          { label: 'http', name: httpRoute.nodes.function.name },
          ...wsRoutes.map((r, i) => ({ label: WS_LABELS[i] ?? `ws${i}`, name: r.nodes.function.name })),
          { label: 'migrate', name: migration.migrator.name },
        ],
        redisClusterName: redisEngine.cluster.name,
        dbInstanceId: db.id,
        dbProxyName: db.proxyId,
      });
    }

    return {
      webUrl: router?.url,
      apiUrl: api.url,
      wsUrl: ws.url,
      wsManagementEndpoint: ws.managementEndpoint,
    };
  },
});
