import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LinkedResources, linkedEnv } from '../../functions/resource-env.js';
import { isApiPath, contentSecurityPolicy as localContentSecurityPolicy } from '../../local/static-site.js';
import * as clientIp from '../../shared/http/client-ip.js';
import { ALARMS, APP_METRICS, METRICS_NAMESPACE } from '../../stacks/alarm-specs.js';
import { POSTGRES_CLIENT_CEILING, PROXY_CONNECTION_BUDGET, PROXY_POOL } from '../../stacks/capacity.js';
import {
  FUNCTIONS,
  type FunctionSpec,
  HTTP_ROUTES,
  LAMBDA_ARCHITECTURE,
  LAMBDA_BASE_ENVIRONMENT,
  LAMBDA_RUNTIME,
  WEBSOCKET_ROUTE_SELECTION,
  WEBSOCKET_ROUTES,
} from '../../stacks/function-specs.js';
import {
  API_PATH_PREFIXES,
  contentSecurityPolicy,
  ORIGIN_VERIFY_HEADER,
  originVerifyInjection,
  siteHeadersInjection,
  VIEWER_ADDRESS_HEADER,
} from '../../stacks/web-edge.js';
import { resourceState } from './mock-state.js';

// The SST app rendered offline under Pulumi's mocks (tests/infra/render-graph.ts, unofficial: see README).
interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Names of the resources it waits for (render-graph.ts records them from the registration). */
  dependsOn?: string[];
}
interface Build {
  functionID: string;
  handler: string;
  links: Record<string, Record<string, unknown>>;
  zipEntries: string[];
}
interface Graph {
  outputs: Record<string, unknown>;
  resources: Resource[];
  builds: Build[];
  /** Under `sst dev`: the functions registered to run locally (no build), with their links. */
  targets: Omit<Build, 'zipEntries'>[];
  unknownCalls: string[];
  failures: string[];
}

/** The private part of the signing key: it must reach no function but HTTP, and no AWS resource input. */
const SIGNING_KEY_D = 'SENTINEL-signing-key-9f3c';
const SECRETS = {
  JwtSigningKey: JSON.stringify({
    kty: 'OKP',
    crv: 'Ed25519',
    x: 'public-x-9f3c',
    d: SIGNING_KEY_D,
    kid: 'k-9f3c',
  }),
  PasswordPepper: 'SENTINEL-pepper-0123456789abcdef-9f3c',
};
/** The sender a stage is deployed with (stacks/mail.ts); its domain is the SES identity. */
const MAIL_SENDER = 'no-reply@mail.example.com';
const SECRET_WRAPPER = '4dabf18193072939515e22adb298388d'; // how Pulumi serializes a secret Output's value
const plain = (value: unknown): unknown =>
  value && typeof value === 'object' && SECRET_WRAPPER in value
    ? (value as unknown as { value: unknown }).value
    : value;

async function render(stage: string, mode: 'deploy' | 'dev' = 'deploy'): Promise<Graph> {
  const dir = mkdtempSync(join(tmpdir(), 'infra-graph-'));
  const secretEnv = Object.fromEntries(
    Object.entries(SECRETS).map(([name, value]) => [`SST_SECRET_${name}`, value]),
  );
  try {
    await promisify(execFile)(
      'node_modules/.bin/tsx',
      ['tests/infra/render-graph.ts', stage, join(dir, 'g.json'), mode],
      {
        env: { ...process.env, ...secretEnv, MAIL_FROM: `Chat <${MAIL_SENDER}>`, MAIL_IDENTITY: '' },
        timeout: 180_000,
      },
    );
    return JSON.parse(readFileSync(join(dir, 'g.json'), 'utf8')) as Graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const graphs: Record<'ci' | 'production' | 'dev', Graph> = {} as never;
beforeAll(async () => {
  if (!existsSync('.sst/platform/src/auto/run.ts'))
    throw new Error('No .sst/platform: run `npm run sst:install`');
  [graphs.ci, graphs.production, graphs.dev] = await Promise.all([
    render('ci'),
    render('production'),
    render('dev-ci', 'dev'),
  ]);
});

const all = (graph: Graph, type: string) => graph.resources.filter((r) => r.type === type);
const one = (graph: Graph, type: string, name: string): Resource => {
  const found = graph.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};
const idOf = (r: Resource) => String(resourceState(r.type, r.name, r.inputs).id);
const arnOf = (r: Resource) => String(resourceState(r.type, r.name, r.inputs).arn);

/** Route key → the source handler its Lambda was bundled from, following route → integration → function. */
function routes(graph: Graph, api: Resource) {
  const integrations = all(graph, 'aws:apigatewayv2/integration:Integration');
  return all(graph, 'aws:apigatewayv2/route:Route')
    .filter((route) => route.inputs.apiId === idOf(api))
    .map((route) => {
      const integration = integrations.find((i) => route.inputs.target === `integrations/${idOf(i)}`);
      const uri = String(plain(integration?.inputs.integrationUri));
      const fn = all(graph, 'aws:lambda/function:Function').find((f) => uri.includes(arnOf(f)));
      const build = [...graph.builds, ...(graph.targets ?? [])].find(
        (b) => fn?.name === `${b.functionID}Function`,
      );
      return { key: String(route.inputs.routeKey), handler: build?.handler, fn, build, integration };
    });
}
/** The deploy-time RandomPassword the Router sends as x-origin-verify, as the HTTP function's link holds it. */
const originVerifySecret = (graph: Graph): string => {
  const links = graph.builds.find((b) => b.handler === 'functions/http.handler')?.links;
  const secret = links?.OriginVerify?.secret;
  if (typeof secret !== 'string') throw new Error('no OriginVerify link on the HTTP function');
  expect(
    plain(one(graph, 'random:index/randomPassword:RandomPassword', 'OriginVerifySecret').inputs),
  ).toMatchObject({ length: 48, special: false });
  return secret;
};
/** The spec (stacks/function-specs.ts) a rendered Lambda was built from. */
const specOf = (graph: Graph, fn: Resource): FunctionSpec | undefined => {
  const build = graph.builds.find((b) => fn.name === `${b.functionID}Function`);
  return Object.values(FUNCTIONS as Record<string, FunctionSpec>).find(
    (spec) => spec.handler === build?.handler,
  );
};
const apiOf = (graph: Graph, protocol: string) =>
  all(graph, 'aws:apigatewayv2/api:Api').filter((api) => api.inputs.protocolType === protocol);

describe('the deployed graph (stage ci, rendered offline)', () => {
  it('renders without errors or unanswered provider calls', () => {
    expect(graphs.ci.failures).toEqual([]);
    expect(graphs.ci.unknownCalls).toEqual([]);
    expect(graphs.ci.outputs).toMatchObject({
      webUrl: expect.stringMatching(/^https:\/\//),
      apiUrl: expect.stringMatching(/^https:\/\/.+\.execute-api\./),
      wsUrl: expect.stringMatching(/^wss:\/\/.+\/\$default$/),
    });
  });

  it('serves the Hono app on the HTTP API $default route (payload 2.0)', () => {
    const [api, ...others] = apiOf(graphs.ci, 'HTTP');
    expect(others).toEqual([]);
    const apiRoutes = routes(graphs.ci, api as Resource);
    expect(apiRoutes.map(({ key, handler }) => [key, handler])).toEqual([
      ['$default', 'functions/http.handler'],
    ]);
    expect(apiRoutes[0]?.integration?.inputs.payloadFormatVersion).toBe('2.0');
  });

  it('routes $connect/$disconnect/$default of the WebSocket API by $request.body.action', () => {
    const [ws] = apiOf(graphs.ci, 'WEBSOCKET');
    expect(ws?.inputs.routeSelectionExpression).toBe('$request.body.action');
    const wsRoutes = routes(graphs.ci, ws as Resource).map(({ key, handler }) => [key, handler]);
    expect(wsRoutes.sort()).toEqual([
      ['$connect', 'functions/ws/connect.handler'],
      ['$default', 'functions/ws/message.handler'],
      ['$disconnect', 'functions/ws/disconnect.handler'],
    ]);
  });

  it('routes, sizes and configures every function as stacks/function-specs.ts (what LocalStack deploys) says', () => {
    const table = (routeTable: Record<string, keyof typeof FUNCTIONS>) =>
      Object.entries(routeTable)
        .map(([key, name]) => [key, FUNCTIONS[name].handler])
        .sort();
    const rendered = (protocol: string) =>
      routes(graphs.ci, apiOf(graphs.ci, protocol)[0] as Resource)
        .map(({ key, handler }) => [key, handler])
        .sort();
    expect(rendered('HTTP')).toEqual(table(HTTP_ROUTES));
    expect(rendered('WEBSOCKET')).toEqual(table(WEBSOCKET_ROUTES));
    expect(apiOf(graphs.ci, 'WEBSOCKET')[0]?.inputs.routeSelectionExpression).toBe(WEBSOCKET_ROUTE_SELECTION);
    for (const spec of Object.values(FUNCTIONS)) {
      const build = graphs.ci.builds.find((b) => b.handler === spec.handler);
      const fn = one(graphs.ci, 'aws:lambda/function:Function', `${build?.functionID}Function`);
      expect(fn.inputs, spec.handler).toMatchObject({
        memorySize: spec.memoryMb,
        timeout: spec.timeoutSeconds,
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        environment: {
          variables: expect.objectContaining({
            ...LAMBDA_BASE_ENVIRONMENT,
            ...(spec as FunctionSpec).settings,
          }),
        },
      });
      // The configuration keys its links turn into at cold start are exactly the ones LocalStack sets.
      const links = {
        App: { name: 'serverless-auth-chat', stage: 'ci' },
        ...build?.links,
      } as LinkedResources;
      expect(Object.keys(linkedEnv(links)).sort(), spec.handler).toEqual([...spec.environment].sort());
    }
  });

  it('runs every Lambda on nodejs22.x/arm64 in the private subnets, with bounded logs', () => {
    const privateSubnets = all(graphs.ci, 'aws:ec2/subnet:Subnet')
      .filter((s) => s.name.startsWith('VpcPrivateSubnet'))
      .map(idOf);
    const functions = all(graphs.ci, 'aws:lambda/function:Function');
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      expect(fn.inputs).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'] });
      expect((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds.sort()).toEqual(
        privateSubnets.sort(),
      );
      const logGroupName = (fn.inputs.loggingConfig as { logGroup: string }).logGroup;
      const logGroup = all(graphs.ci, 'aws:cloudwatch/logGroup:LogGroup').find(
        (g) => g.inputs.name === logGroupName,
      );
      expect(logGroup?.inputs.retentionInDays).toBe(14);
    }
  });

  it('sizes memory per function: one vCPU where passwords are hashed, small elsewhere', () => {
    const memory = (handler: string) =>
      all(graphs.ci, 'aws:lambda/function:Function').find(
        (fn) => fn.name === `${graphs.ci.builds.find((b) => b.handler === handler)?.functionID}Function`,
      )?.inputs.memorySize;
    expect(memory('functions/http.handler')).toBe(1769);
    for (const route of ['connect', 'disconnect', 'message'])
      expect(memory(`functions/ws/${route}.handler`)).toBe(512);
  });

  it('gives private subnets a default route through NAT', () => {
    const natInstances = all(graphs.ci, 'aws:ec2/instance:Instance').filter((i) =>
      i.name.startsWith('VpcNatInstance'),
    );
    expect(natInstances).toHaveLength(2);
    for (const table of all(graphs.ci, 'aws:ec2/routeTable:RouteTable').filter((t) =>
      t.name.startsWith('VpcPrivateRouteTable'),
    )) {
      expect(table.inputs.routes).toEqual([{ cidrBlock: '0.0.0.0/0', networkInterfaceId: 'eni-mock' }]);
    }
  });

  it('links each handler to exactly what it reads (least privilege: a new link is a decision)', () => {
    const links = (handler: string) =>
      Object.keys(graphs.ci.builds.find((b) => b.handler === handler)?.links ?? {}).sort();
    expect(links('functions/http.handler')).toEqual(
      [
        'Api',
        'Db',
        'JwtPreviousPublicKeys',
        'JwtSigningKey',
        'Mail',
        'OriginVerify',
        'PasswordPepper',
        'Redis',
        'Web',
        'Ws',
      ].sort(),
    );
    // `$connect` verifies tokens with public keys only; no function but HTTP sees the private key, the pepper or Postgres.
    expect(links('functions/ws/connect.handler')).toEqual(['JwtVerifyKeys', 'Redis', 'Web', 'Ws']);
    expect(links('functions/ws/message.handler')).toEqual(['Redis', 'Ws']);
    expect(links('functions/ws/disconnect.handler')).toEqual(['Redis', 'Ws']);
    expect(links('functions/migrate.handler')).toEqual(['Db', 'Redis']);
    const verifyKeys = graphs.ci.builds.find((b) => b.handler === 'functions/ws/connect.handler')?.links
      .JwtVerifyKeys as { keys?: string } | undefined;
    expect(JSON.parse(verifyKeys?.keys ?? '[]')).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: 'public-x-9f3c', kid: 'k-9f3c', alg: 'EdDSA', use: 'sig' },
    ]);
    expect(
      JSON.stringify(graphs.ci.builds.filter((b) => b.handler !== 'functions/http.handler')),
    ).not.toContain(SIGNING_KEY_D);
    const ws = graphs.ci.builds.find((b) => b.handler === 'functions/http.handler')?.links.Ws;
    expect(ws?.managementEndpoint).toBe(graphs.ci.outputs.wsManagementEndpoint);
  });

  it('lets the HTTP and WebSocket handlers (not the migrator) post to @connections of that API', () => {
    const [ws] = apiOf(graphs.ci, 'WEBSOCKET');
    const connections = `arn:aws:execute-api:us-east-1:123456789012:${idOf(ws as Resource)}/*/*/@connections/*`;
    const canPush = (build: Build) => {
      const role = one(graphs.ci, 'aws:iam/role:Role', `${build.functionID}Role`);
      const policies = (role.inputs.inlinePolicies ?? []) as { policy: string }[];
      return policies
        .flatMap(
          (p) =>
            (JSON.parse(p.policy) as { Statement: { actions: string[]; resources: string[] }[] }).Statement,
        )
        .some(
          (s) => s.actions.includes('execute-api:ManageConnections') && s.resources.includes(connections),
        );
    };
    expect(
      graphs.ci.builds
        .filter(canPush)
        .map((b) => b.handler)
        .sort(),
    ).toEqual([
      'functions/http.handler',
      'functions/ws/connect.handler',
      'functions/ws/disconnect.handler',
      'functions/ws/message.handler',
    ]);
  });

  it('lets only the HTTP function send mail, with ses:SendEmail on the configured identity alone', () => {
    const identity = 'arn:aws:ses:us-east-1:123456789012:identity/mail.example.com';
    const statements = (build: Build) => {
      const role = one(graphs.ci, 'aws:iam/role:Role', `${build.functionID}Role`);
      return ((role.inputs.inlinePolicies ?? []) as { policy: string }[]).flatMap(
        (p) =>
          (JSON.parse(p.policy) as { Statement: { actions: string[]; resources: string[] }[] }).Statement,
      );
    };
    const ses = (build: Build) =>
      statements(build).filter((s) => s.actions.some((action) => action.startsWith('ses:')));
    const http = graphs.ci.builds.find((b) => b.handler === 'functions/http.handler') as Build;
    expect(ses(http)).toEqual([
      expect.objectContaining({ actions: ['ses:SendEmail'], resources: [identity] }),
    ]);
    for (const build of graphs.ci.builds.filter((b) => b !== http))
      expect(ses(build), build.handler).toEqual([]);
    expect(http.links.Mail).toMatchObject({ sender: `Chat <${MAIL_SENDER}>`, identity: 'mail.example.com' });
    expect(linkedEnv({ App: { name: 'a', stage: 'ci' }, ...http.links } as LinkedResources).MAIL_FROM).toBe(
      `Chat <${MAIL_SENDER}>`,
    );
  });

  it('keeps the secrets out of every AWS resource input, Lambda environments included', () => {
    const awsInputs = JSON.stringify(graphs.ci.resources.filter((r) => r.type.startsWith('aws:')));
    for (const value of [...Object.values(SECRETS), SIGNING_KEY_D]) expect(awsInputs).not.toContain(value);
    for (const fn of all(graphs.ci, 'aws:lambda/function:Function')) {
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      // Plus the plain settings of its spec (the Postgres pool size), never a secret.
      const settings = Object.keys(specOf(graphs.ci, fn)?.settings ?? {});
      expect(Object.keys(variables).sort()).toEqual(
        ['NODE_EXTRA_CA_CERTS', 'SST_KEY', 'SST_KEY_FILE', 'SST_RESOURCE_App', ...settings].sort(),
      );
    }
    // The origin-verify secret too: only the Router's viewer-request code (which sends it) carries it.
    const originVerify = originVerifySecret(graphs.ci);
    const elsewhere = graphs.ci.resources.filter(
      (r) => r.type.startsWith('aws:') && r.name !== 'WebCloudfrontFunctionRequest',
    );
    expect(JSON.stringify(elsewhere)).not.toContain(originVerify);
    // They travel encrypted in the bundle (resource.enc), as the links of the functions that need them.
    // (The mock engine prefixes the root stack's type to URNs, hence the `…$` before the link type.)
    expect(graphs.ci.builds.find((b) => b.handler === 'functions/http.handler')?.links.JwtSigningKey).toEqual(
      {
        type: expect.stringMatching(/(^|\$)sst\.sst\.Secret$/),
        value: SECRETS.JwtSigningKey,
      },
    );
  });

  it('runs the migrations on deploy from a package that contains them next to the bundle', () => {
    const [invocation, ...others] = all(graphs.ci, 'aws:lambda/invocation:Invocation');
    expect(others).toEqual([]);
    const migrator = one(graphs.ci, 'aws:lambda/function:Function', 'MigratorFunction');
    expect(plain(invocation?.inputs.functionName)).toBe(migrator.inputs.name);
    expect(invocation?.inputs.triggers).toMatchObject({
      migrations: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const zip = graphs.ci.builds.find((b) => b.handler === 'functions/migrate.handler')?.zipEntries;
    expect(zip).toEqual(expect.arrayContaining(['bundle.mjs', 'migrations/meta/_journal.json']));
    expect(zip?.some((entry) => /^migrations\/0000_.*\.sql$/.test(entry))).toBe(true);
  });

  it('puts Postgres and a TLS, cluster-mode Valkey in the private subnets', () => {
    const privateSubnets = all(graphs.ci, 'aws:ec2/subnet:Subnet')
      .filter((s) => s.name.startsWith('VpcPrivateSubnet'))
      .map(idOf)
      .sort();
    for (const group of [
      one(graphs.ci, 'aws:rds/subnetGroup:SubnetGroup', 'DbSubnetGroup'),
      one(graphs.ci, 'aws:elasticache/subnetGroup:SubnetGroup', 'RedisSubnetGroup'),
    ]) {
      expect((group.inputs.subnetIds as string[]).sort()).toEqual(privateSubnets);
    }
    expect(one(graphs.ci, 'aws:rds/instance:Instance', 'DbInstance').inputs).toMatchObject({
      dbName: 'chat',
    });
    expect(
      one(graphs.ci, 'aws:elasticache/replicationGroup:ReplicationGroup', 'RedisCluster').inputs,
    ).toMatchObject({
      engine: 'valkey',
      clusterMode: 'enabled',
      transitEncryptionEnabled: true,
    });
    const parameters = one(graphs.ci, 'aws:elasticache/parameterGroup:ParameterGroup', 'RedisParameterGroup')
      .inputs.parameters as { name: string; value: string }[];
    expect(parameters).toContainEqual({ name: 'maxmemory-policy', value: 'noeviction' });
  });

  it('has docker-compose.yml run the engines production runs, every image pinned to an exact version', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    const images = [...compose.matchAll(/^\s*image:\s*(\S+)$/gm)].map((match) => String(match[1]));
    expect(images.length).toBeGreaterThanOrEqual(3);
    // Exact releases, not floating tags (`16-alpine`, `latest`): Postgres numbers them major.minor since 10.
    for (const image of images)
      expect(image).toMatch(image.startsWith('postgres:') ? /:\d+\.\d+-/ : /:\d+\.\d+\.\d+(-[a-z0-9.]+)?$/);
    const db = one(graphs.ci, 'aws:rds/instance:Instance', 'DbInstance').inputs;
    const redis = one(graphs.ci, 'aws:elasticache/replicationGroup:ReplicationGroup', 'RedisCluster').inputs;
    expect(images).toContainEqual(expect.stringMatching(new RegExp(`^postgres:${db.engineVersion}\\.`)));
    expect(redis.engine).toBe('valkey');
    expect(images).toContainEqual(
      expect.stringMatching(new RegExp(`^valkey/valkey:${redis.engineVersion}\\.`)),
    );
  });

  it('serves the web client and the API paths from one Router origin', () => {
    const apiHost = new URL(String(graphs.ci.outputs.apiUrl)).host;
    const updates = graphs.ci.resources.filter((r) => r.name.endsWith('.sst.aws.KvRoutesUpdate'));
    const urlRoutes = updates
      .map((r) => String(r.inputs.entry).split(','))
      .filter(([kind]) => kind === 'url');
    expect(urlRoutes.map((entry) => entry[3]).sort()).toEqual([...API_PATH_PREFIXES].sort());
    // The same split as npm start's static site (local/static-site.ts), which sends these to the API too.
    expect(API_PATH_PREFIXES.filter((prefix) => !isApiPath(prefix) && !isApiPath(`${prefix}/x`))).toEqual([]);
    for (const [, namespace] of urlRoutes) {
      const keys = graphs.ci.resources.find(
        (r) => r.name.endsWith('RouteKey.sst.aws.KvKeys') && r.inputs.namespace === namespace,
      );
      const metadata = (keys?.inputs.entries as { metadata?: string } | undefined)?.metadata;
      expect(JSON.parse(String(metadata)).host).toBe(apiHost);
    }
    expect(updates.some((r) => String(r.inputs.entry).startsWith('site,'))).toBe(true);
  });

  it('has the Router vouch, with a deploy-time secret, for the viewer IP it sends to the API only', () => {
    // The names the edge sets are the ones the app reads (shared/http/client-ip.ts).
    expect([ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER]).toEqual([
      clientIp.ORIGIN_VERIFY_HEADER,
      clientIp.VIEWER_ADDRESS_HEADER,
    ]);
    const secret = originVerifySecret(graphs.ci);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const fn = one(graphs.ci, 'aws:cloudfront/function:Function', 'WebCloudfrontFunctionRequest');
    const code = String(plain(fn.inputs.code));
    expect(code).toContain(originVerifyInjection(secret));
    // CloudFront Functions' 10 KB code limit, with the Router's own routing code included.
    expect(code.length).toBeLessThan(10_240);
    // The one cache behavior runs it on viewer requests and forwards every viewer header but Host (the
    // managed AllViewerExceptHostHeader policy), so the headers it sets reach the API origin.
    const [distribution, ...others] = all(graphs.ci, 'aws:cloudfront/distribution:Distribution');
    expect(others).toEqual([]);
    const behavior = distribution?.inputs.defaultCacheBehavior as {
      originRequestPolicyId: string;
      functionAssociations: { eventType: string; functionArn: string }[];
    };
    expect(behavior.originRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(behavior.functionAssociations).toContainEqual({
      eventType: 'viewer-request',
      functionArn: arnOf(fn),
    });
    expect(distribution?.inputs.orderedCacheBehaviors ?? []).toEqual([]);
    // Run the injected code as CloudFront would, with a viewer forging both headers.
    const request = (uri: string) => {
      const event = {
        viewer: { ip: '2001:db8::7' },
        request: {
          uri,
          headers: {
            [ORIGIN_VERIFY_HEADER]: { value: 'forged' },
            [VIEWER_ADDRESS_HEADER]: { value: '203.0.113.9' },
          } as Record<string, { value: string }>,
        },
      };
      new Function('event', originVerifyInjection(secret))(event);
      return event.request.headers;
    };
    for (const uri of ['/auth/login', '/auth', '/me', '/.well-known/jwks.json']) {
      expect(request(uri)).toEqual({
        [ORIGIN_VERIFY_HEADER]: { value: secret },
        [VIEWER_ADDRESS_HEADER]: { value: '2001:db8::7' },
      });
    }
    for (const uri of ['/', '/index.html', '/assets/app.js', '/authx']) expect(request(uri)).toEqual({});
  });

  it('builds the client once and writes /config.json with the WebSocket URL of the stage at deploy', () => {
    const build = one(graphs.ci, 'command:local:Command', 'WebClientBuilder').inputs;
    expect(String(build.create)).toMatch(/^npm run build:web && .*web\/dist\/config\.json.*WEB_CONFIG/);
    const config = (build.environment as { WEB_CONFIG: string }).WEB_CONFIG;
    expect(JSON.parse(config)).toEqual({ wsUrl: graphs.ci.outputs.wsUrl });
    const upload = graphs.ci.resources.find((r) => r.name === 'WebClientAssetFiles.sst.aws.BucketFiles');
    const files = (upload?.inputs.files ?? []) as { key: string; cacheControl: string }[];
    expect(Object.fromEntries(files.map((f) => [f.key, f.cacheControl]))).toEqual({
      'index.html': 'no-cache',
      'config.json': 'no-store',
      'assets/index-0a1b2c3d.js': 'public,max-age=31536000,immutable',
    });
  });

  it('adds the CSP of npm start (sockets only to this WebSocket API) at the edge, never on API paths', () => {
    const fn = one(graphs.ci, 'aws:cloudfront/function:Function', 'WebCloudfrontFunctionResponse');
    const wsUrl = String(graphs.ci.outputs.wsUrl);
    expect(contentSecurityPolicy(wsUrl)).toBe(localContentSecurityPolicy(wsUrl));
    const injection = siteHeadersInjection(contentSecurityPolicy(wsUrl));
    expect(String(fn.inputs.code)).toContain(injection);
    // Run the injected code as CloudFront would, on a page and on an API answer.
    const respond = (uri: string, type: string) => {
      const event = { request: { uri }, response: { headers: { 'content-type': { value: type } } } };
      new Function('event', injection)(event);
      return event.response.headers as Record<string, { value: string } | undefined>;
    };
    expect(respond('/index.html', 'text/html')['content-security-policy']?.value).toBe(
      contentSecurityPolicy(wsUrl),
    );
    expect(respond('/assets/app.js', 'text/javascript')['x-content-type-options']?.value).toBe('nosniff');
    expect(respond('/openapi.json', 'application/json')['content-security-policy']).toBeUndefined();
    expect(respond('/auth/login', 'application/json')['x-content-type-options']).toBeUndefined();
  });
});

describe('stage-aware settings (production vs other stages)', () => {
  it('protects production and adds managed NAT, RDS Proxy and Multi-AZ there only', () => {
    const types = (graph: Graph) => new Set(graph.resources.map((r) => r.type));
    expect(graphs.production.failures).toEqual([]);
    expect(graphs.production.unknownCalls).toEqual([]);
    expect(graphs.production.outputs._protect).toBe(true);
    expect(graphs.ci.outputs._protect).toBe(false);
    expect(types(graphs.production)).toContain('aws:ec2/natGateway:NatGateway');
    expect(types(graphs.production)).toContain('aws:rds/proxy:Proxy');
    expect(types(graphs.ci)).not.toContain('aws:ec2/natGateway:NatGateway');
    expect(types(graphs.ci)).not.toContain('aws:rds/proxy:Proxy');
    expect(one(graphs.production, 'aws:rds/instance:Instance', 'DbInstance').inputs.multiAz).toBe(true);
  });

  it('keeps Redis on a durable engine in production: MemoryDB, a replica per shard, TLS, ACL, snapshots', () => {
    expect(all(graphs.production, 'aws:elasticache/replicationGroup:ReplicationGroup')).toEqual([]);
    const [cluster, ...others] = all(graphs.production, 'aws:memorydb/cluster:Cluster');
    expect(others).toEqual([]);
    expect(cluster?.inputs).toMatchObject({
      engine: 'valkey',
      engineVersion: '7.2',
      tlsEnabled: true,
      aclName: one(graphs.production, 'aws:memorydb/acl:Acl', 'RedisAcl').inputs.name,
    });
    // A replica in another AZ for every shard (automatic failover), and daily snapshots kept a week.
    expect(cluster?.inputs.numReplicasPerShard).toBeGreaterThanOrEqual(1);
    expect(cluster?.inputs.snapshotRetentionLimit).toBeGreaterThanOrEqual(7);
    const privateSubnets = all(graphs.production, 'aws:ec2/subnet:Subnet')
      .filter((s) => s.name.startsWith('VpcPrivateSubnet'))
      .map(idOf)
      .sort();
    const subnets = one(graphs.production, 'aws:memorydb/subnetGroup:SubnetGroup', 'RedisSubnetGroup');
    expect((subnets.inputs.subnetIds as string[]).sort()).toEqual(privateSubnets);
    // The ACL user is the one the functions' link carries, with a password (no open access).
    const user = one(graphs.production, 'aws:memorydb/user:User', 'RedisUser').inputs;
    expect(user.authenticationMode).toMatchObject({ type: 'password' });
    expect(
      (one(graphs.production, 'aws:memorydb/acl:Acl', 'RedisAcl').inputs.userNames as string[]) ?? [],
    ).toEqual([user.userName]);
  });

  it('connects every production function to MemoryDB in cluster mode over TLS, as the ACL user', () => {
    const endpoint = 'clustercfg.rediscluster.mock.memorydb.us-east-1.amazonaws.com';
    const user = one(graphs.production, 'aws:memorydb/user:User', 'RedisUser').inputs;
    const password = (plain(user.authenticationMode) as { passwords: unknown[] }).passwords.map(plain)[0];
    for (const build of graphs.production.builds) {
      const env = linkedEnv({
        App: { name: 'serverless-auth-chat', stage: 'production' },
        ...build.links,
      } as LinkedResources);
      expect(env.REDIS_MODE, build.handler).toBe('cluster');
      const url = new URL(String(env.REDIS_URL));
      expect([url.protocol, url.hostname, url.port], build.handler).toEqual(['rediss:', endpoint, '6379']);
      expect(decodeURIComponent(url.username)).toBe(user.userName);
      expect(decodeURIComponent(url.password)).toBe(password);
    }
  });

  it('stays light outside production: one small ElastiCache node, no MemoryDB, alarms, tracing or reservations', () => {
    const types = new Set(graphs.ci.resources.map((r) => r.type));
    for (const type of [
      'aws:memorydb/cluster:Cluster',
      'aws:cloudwatch/metricAlarm:MetricAlarm',
      'aws:cloudwatch/dashboard:Dashboard',
      'aws:sns/topic:Topic',
    ])
      expect(types, type).not.toContain(type);
    expect(
      one(graphs.ci, 'aws:elasticache/replicationGroup:ReplicationGroup', 'RedisCluster').inputs,
    ).toMatchObject({ numNodeGroups: 1, replicasPerNodeGroup: 0 });
    for (const fn of all(graphs.ci, 'aws:lambda/function:Function')) {
      expect(fn.inputs.tracingConfig, fn.name).toBeUndefined();
      expect(fn.inputs.reservedConcurrentExecutions, fn.name).toBeUndefined();
    }
    // And `sst dev` stays the same app without either.
    expect(all(graphs.dev, 'aws:cloudwatch/metricAlarm:MetricAlarm')).toEqual([]);
  });

  it('pools Postgres through RDS Proxy with a bounded share, one connection per Lambda, bounded concurrency', () => {
    const group = one(
      graphs.production,
      'aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup',
      'DbProxyTargetGroup',
    );
    expect(group.inputs.connectionPoolConfig).toEqual({
      maxConnectionsPercent: PROXY_POOL.maxConnectionsPercent,
      maxIdleConnectionsPercent: PROXY_POOL.maxIdleConnectionsPercent,
      connectionBorrowTimeout: PROXY_POOL.borrowTimeoutSeconds,
    });
    const proxy = one(graphs.production, 'aws:rds/proxy:Proxy', 'DbProxy');
    const http = graphs.production.builds.find((b) => b.handler === FUNCTIONS.http.handler);
    expect(http?.links.Db?.host).toBe(resourceState(proxy.type, proxy.name, proxy.inputs).endpoint);
    const reserved: Record<string, unknown> = {};
    for (const fn of all(graphs.production, 'aws:lambda/function:Function')) {
      const spec = specOf(graphs.production, fn);
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      if (spec?.environment.includes('DATABASE_URL'))
        expect(variables.DATABASE_POOL_MAX, spec.handler).toBe('1');
      reserved[String(spec?.handler)] = fn.inputs.reservedConcurrentExecutions;
    }
    // The HTTP function and the migrator (the Postgres users) are capped; the WebSocket functions need no cap.
    expect(reserved).toEqual({
      [FUNCTIONS.http.handler]: 50,
      [FUNCTIONS.migrate.handler]: 1,
      [FUNCTIONS.wsConnect.handler]: undefined,
      [FUNCTIONS.wsDisconnect.handler]: undefined,
      [FUNCTIONS.wsMessage.handler]: undefined,
    });
    // README's arithmetic: every connection those caps allow fits the proxy's share of max_connections.
    expect(POSTGRES_CLIENT_CEILING).toBe(51);
    expect(POSTGRES_CLIENT_CEILING).toBeLessThanOrEqual(PROXY_CONNECTION_BUDGET);
  });

  it('traces every production Lambda with X-Ray: active mode set by the Lambda service, write permission on its role', () => {
    for (const fn of all(graphs.production, 'aws:lambda/function:Function')) {
      expect(fn.inputs.tracingConfig, fn.name).toEqual({ mode: 'Active' });
      const role = one(graphs.production, 'aws:iam/role:Role', fn.name.replace(/Function$/, 'Role'));
      expect(JSON.stringify(role.inputs.inlinePolicies), fn.name).toContain('xray:PutTraceSegments');
    }
  });

  it('deploys the API and WebSocket functions only after the migration invocation succeeded', () => {
    for (const graph of [graphs.ci, graphs.production]) {
      const invocation = one(graph, 'aws:lambda/invocation:Invocation', 'MigrateOnDeploy');
      expect(invocation.dependsOn).toContain('MigratorFunction');
      for (const handler of [
        FUNCTIONS.http,
        FUNCTIONS.wsConnect,
        FUNCTIONS.wsDisconnect,
        FUNCTIONS.wsMessage,
      ]) {
        const build = graph.builds.find((b) => b.handler === handler.handler);
        const fn = one(graph, 'aws:lambda/function:Function', `${build?.functionID}Function`);
        expect(fn.dependsOn, handler.handler).toContain('MigrateOnDeploy');
      }
    }
  });
});

describe('production alarms and dashboard', () => {
  const alarms = () => all(graphs.production, 'aws:cloudwatch/metricAlarm:MetricAlarm');
  const functionLabels = ['http', 'wsConnect', 'wsDisconnect', 'wsMessage', 'migrate'];
  const metricsOf = (alarm: Resource) =>
    (
      plain(alarm.inputs.metricQueries) as {
        metric?: { namespace: string; metricName: string; dimensions: object };
      }[]
    ).flatMap((q) => (q.metric ? [q.metric] : []));

  it('alarms on 5xx rate, Lambda errors and throttles, WebSocket errors, pushes, Redis memory, Postgres, reuse, login storms', () => {
    const expected = ALARMS.flatMap((spec) =>
      spec.source === 'function' ? functionLabels.map((label) => `${label}-${spec.id}`) : [spec.id],
    ).map((suffix) => `serverless-auth-chat-production-${suffix}`);
    expect(
      alarms()
        .map((a) => a.inputs.name)
        .sort(),
    ).toEqual(expected.sort());
    const byName = (suffix: string) =>
      alarms().find((a) => a.inputs.name === `serverless-auth-chat-production-${suffix}`) as Resource;
    const names = (suffix: string) => metricsOf(byName(suffix)).map((m) => `${m.namespace}/${m.metricName}`);
    expect(names('http-5xx-rate')).toEqual(['AWS/ApiGateway/5xx', 'AWS/ApiGateway/Count']);
    expect(names('http-errors')).toEqual(['AWS/Lambda/Errors']);
    expect(names('wsMessage-throttles')).toEqual(['AWS/Lambda/Throttles']);
    expect(names('ws-errors')).toEqual(['AWS/ApiGateway/ExecutionError', 'AWS/ApiGateway/IntegrationError']);
    expect(names('push-error-rate')).toEqual(
      ['PushOk', 'PushGone', 'PushThrottled', 'PushError'].map((m) => `ServerlessChat/${m}`),
    );
    // MemoryDB reports per node: one Metrics Insights query takes the busiest node of this cluster.
    const cluster = one(graphs.production, 'aws:memorydb/cluster:Cluster', 'RedisCluster');
    expect(plain(byName('redis-memory').inputs.metricQueries)).toEqual([
      expect.objectContaining({
        expression: `SELECT MAX(DatabaseMemoryUsagePercentage) FROM "AWS/MemoryDB" WHERE ClusterName = '${cluster.inputs.name}'`,
        period: 300,
        returnData: true,
      }),
    ]);
    expect(names('postgres-connections')).toEqual(['AWS/RDS/DatabaseConnections']);
    expect(names('proxy-client-connections')).toEqual(['AWS/RDS/ClientConnections']);
    expect(names('refresh-reuse')).toEqual(['ServerlessChat/RefreshReuseDetected']);
    expect(names('login-throttles')).toEqual(['ServerlessChat/LoginThrottled']);
    expect(byName('postgres-connections').inputs.threshold).toBe(PROXY_CONNECTION_BUDGET);
  });

  it('points each alarm at this deployment: the app metrics by {service, stage}, AWS metrics by resource', () => {
    const [httpApi] = apiOf(graphs.production, 'HTTP');
    for (const alarm of alarms()) {
      for (const metric of metricsOf(alarm)) {
        const dimensions = plain(metric.dimensions) as Record<string, string>;
        if (metric.namespace === METRICS_NAMESPACE)
          expect(dimensions).toEqual({ service: 'chat', stage: 'production' });
        if (metric.metricName === '5xx') expect(dimensions).toEqual({ ApiId: idOf(httpApi as Resource) });
        if (metric.namespace === 'AWS/Lambda') expect(Object.keys(dimensions)).toEqual(['FunctionName']);
      }
    }
    const functionNames = all(graphs.production, 'aws:lambda/function:Function').map(
      (fn) => fn.inputs.name ?? fn.name,
    );
    expect(functionNames).toHaveLength(functionLabels.length);
  });

  it('notifies one SNS topic, and shows every app metric beside the AWS ones on one dashboard', () => {
    const [topic, ...topics] = all(graphs.production, 'aws:sns/topic:Topic');
    expect(topics).toEqual([]);
    const topicArn = arnOf(topic as Resource);
    for (const alarm of alarms())
      expect(alarm.inputs.alarmActions, String(alarm.inputs.name)).toEqual([topicArn]);
    const [dashboard, ...dashboards] = all(graphs.production, 'aws:cloudwatch/dashboard:Dashboard');
    expect(dashboards).toEqual([]);
    const body = JSON.parse(String(plain(dashboard?.inputs.dashboardBody))) as {
      widgets: { type: string; properties: { metrics?: unknown[][]; alarms?: string[] } }[];
    };
    const shown = body.widgets
      .flatMap((w) => w.properties.metrics ?? [])
      .map((m) => {
        const query = m[0] as { expression?: string } | string;
        if (typeof query === 'string') return `${query}/${m[1]}`;
        // A Metrics Insights query: SELECT MAX(<metric>) FROM "<namespace>" …
        const [, metric, namespace] =
          /^SELECT MAX\((\w+)\) FROM "([^"]+)"/.exec(query.expression ?? '') ?? [];
        return `${namespace}/${metric}`;
      });
    // The names the brief fixed, which shared/domain/metrics.ts emits.
    expect([...APP_METRICS].sort()).toEqual(
      [
        ...[
          'SignUp',
          'LoginSucceeded',
          'LoginFailed',
          'LoginThrottled',
          'RefreshRotated',
          'RefreshReuseDetected',
        ],
        ...['MessageStored', 'PushOk', 'PushGone', 'PushThrottled', 'PushError', 'Connect', 'Disconnect'],
      ].sort(),
    );
    for (const name of APP_METRICS) expect(shown).toContain(`${METRICS_NAMESPACE}/${name}`);
    for (const name of [
      'AWS/ApiGateway/5xx',
      'AWS/ApiGateway/ConnectCount',
      'AWS/Lambda/Throttles',
      'AWS/MemoryDB/DatabaseMemoryUsagePercentage',
      'AWS/RDS/DatabaseConnections',
      'AWS/RDS/ClientConnections',
    ])
      expect(shown).toContain(name);
    expect(body.widgets.find((w) => w.type === 'alarm')?.properties.alarms).toHaveLength(alarms().length);
  });
});

describe('`sst dev` (stage dev-ci, rendered in dev mode): only what live functions need', () => {
  it('creates the two APIs with the specs’ routes, to stub functions outside any VPC', () => {
    expect(graphs.dev.failures).toEqual([]);
    expect(graphs.dev.unknownCalls).toEqual([]);
    const table = (routeTable: Record<string, keyof typeof FUNCTIONS>) =>
      Object.entries(routeTable)
        .map(([key, name]) => [key, FUNCTIONS[name].handler])
        .sort();
    const rendered = (protocol: string) =>
      routes(graphs.dev, apiOf(graphs.dev, protocol)[0] as Resource)
        .map(({ key, handler }) => [key, handler])
        .sort();
    expect(rendered('HTTP')).toEqual(table(HTTP_ROUTES));
    expect(rendered('WEBSOCKET')).toEqual(table(WEBSOCKET_ROUTES));
    const functions = all(graphs.dev, 'aws:lambda/function:Function');
    expect(functions).toHaveLength(Object.keys(HTTP_ROUTES).length + Object.keys(WEBSOCKET_ROUTES).length);
    for (const fn of functions) expect(fn.inputs.vpcConfig).toBeUndefined();
    expect(graphs.dev.outputs).toMatchObject({
      apiUrl: expect.stringMatching(/^https:\/\//),
      wsUrl: expect.stringMatching(/^wss:\/\//),
    });
  });

  it('creates no VPC, NAT, RDS, ElastiCache, CloudFront, site bucket, web build or migrator', () => {
    const types = [...new Set(graphs.dev.resources.map((r) => r.type))];
    const forbidden =
      /^aws:(ec2|rds|elasticache|cloudfront|servicediscovery)\/|^aws:s3\/bucket:|^command:|^aws:lambda\/invocation:/;
    expect(types.filter((type) => forbidden.test(type))).toEqual([]);
    expect(
      graphs.dev.resources.filter((r) => /^(Vpc|Web|WebClient|Migrator|OriginVerify)/.test(r.name)),
    ).toEqual([]);
    // The same app deployed (stage ci) has all of them: the dev graph is not empty by accident.
    const deployed = new Set(graphs.ci.resources.map((r) => r.type));
    for (const type of [
      'aws:ec2/instance:Instance',
      'aws:cloudfront/distribution:Distribution',
      'aws:rds/instance:Instance',
    ])
      expect(deployed).toContain(type);
  });

  it('links the local functions to docker-compose’s Postgres and Valkey, and the API as the socket origin', () => {
    const env = (handler: string) => {
      const target = graphs.dev.targets.find((t) => t.handler === handler);
      return linkedEnv({
        App: { name: 'serverless-auth-chat', stage: 'dev-ci' },
        ...target?.links,
      } as LinkedResources);
    };
    const apiOrigin = new URL(String(graphs.dev.outputs.apiUrl)).origin;
    expect(env(FUNCTIONS.http.handler)).toMatchObject({
      DATABASE_URL: 'postgres://postgres:@localhost:5432/chat_dev',
      REDIS_URL: 'redis://localhost:6379',
      REDIS_MODE: 'standalone',
      ALLOWED_ORIGINS: apiOrigin,
    });
    expect(env(FUNCTIONS.wsConnect.handler)).toMatchObject({
      REDIS_URL: 'redis://localhost:6379',
      ALLOWED_ORIGINS: apiOrigin,
    });
    // Every key of the specs but the Router's secret (no Router in dev).
    for (const spec of [FUNCTIONS.http, FUNCTIONS.wsConnect, FUNCTIONS.wsDisconnect, FUNCTIONS.wsMessage]) {
      const expected = spec.environment.filter((key) => key !== 'ORIGIN_VERIFY_SECRET');
      expect(Object.keys(env(spec.handler)).sort(), spec.handler).toEqual([...expected].sort());
    }
  });
});
