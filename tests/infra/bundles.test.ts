import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedPlugins, PLUGINS_FILE, SST_ESBUILD } from '../../stacks/sst-esbuild.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The Lambda entry points SST deploys (stacks/api.ts, stacks/realtime.ts, stacks/migrate.ts). */
const FUNCTIONS = {
  http: 'functions/http.ts',
  'ws-connect': 'functions/ws/connect.ts',
  'ws-message': 'functions/ws/message.ts',
  'ws-disconnect': 'functions/ws/disconnect.ts',
  migrate: 'functions/migrate.ts',
} as const;

type FunctionName = keyof typeof FUNCTIONS;

const PUSHING: FunctionName[] = ['http', 'ws-connect', 'ws-message', 'ws-disconnect'];
const SHIM = join(ROOT, 'shared/adapters/apigw/env-credential-provider.ts');

/**
 * The AWS SDK's default credential chain beyond its env-variable link: SSO, ini files, credential_process, web
 * identity, container/instance metadata, and the STS/SSO clients those use. A Lambda never runs any of it.
 */
const CREDENTIAL_CHAIN = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@aws-sdk/client-sso',
  '@aws-sdk/client-sts',
  '@smithy/credential-provider-imds',
];

/** The npm packages (or zod's full API, `zod/v4/classic`) whose code ended up in a bundle. */
function packagesIn(metafile: Metafile): Set<string> {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      if (!name) continue;
      found.add(name);
      if (name === 'zod' && input.includes('/v4/classic/')) found.add('zod (full API)');
    }
  }
  return found;
}

/** Built as SST's Node.js ESM build does (minified, bundled, ESM entry points first); nothing written. */
async function bundle(entry: string, plugins: Plugin[]): Promise<Set<string>> {
  const result = await build({
    ...SST_ESBUILD,
    entryPoints: [entry],
    absWorkingDir: ROOT,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return packagesIn(result.metafile);
}

// Each function carries only what it calls: a package landing where it is never used is a failure here.
const FORBIDDEN: Record<FunctionName, string[]> = {
  http: ['@scalar/api-reference', '@scalar/hono-api-reference', ...CREDENTIAL_CHAIN],
  'ws-connect': [
    'pg',
    'drizzle-orm',
    'bcryptjs',
    '@hono/zod-openapi',
    'hono',
    'zod (full API)',
    '@aws-sdk/client-sesv2',
    ...CREDENTIAL_CHAIN,
  ],
  'ws-message': [
    'pg',
    'drizzle-orm',
    'bcryptjs',
    '@hono/zod-openapi',
    'hono',
    'jose',
    'zod (full API)',
    '@aws-sdk/client-sesv2',
    ...CREDENTIAL_CHAIN,
  ],
  'ws-disconnect': [
    'pg',
    'drizzle-orm',
    'bcryptjs',
    '@hono/zod-openapi',
    'hono',
    'jose',
    'zod (full API)',
    '@aws-sdk/client-sesv2',
    ...CREDENTIAL_CHAIN,
  ],
  // ioredis stays: the migrator mirrors users into the Redis user directory after the schema migrations.
  migrate: [
    'jose',
    'bcryptjs',
    'hono',
    '@hono/zod-openapi',
    '@aws-sdk/client-apigatewaymanagementapi',
    '@aws-sdk/client-sesv2',
  ],
};

const loadPlugins = (): Promise<Plugin[]> => deployedPlugins(ROOT);

/** Built with splitting as deployed: every input of the bundle, and those of what Node loads at init. */
async function splitBuild(name: FunctionName): Promise<{ allInputs: string[]; inputsAtInit: string[] }> {
  const { metafile } = await build({
    ...SST_ESBUILD,
    entryPoints: { bundle: FUNCTIONS[name] },
    absWorkingDir: ROOT,
    splitting: true,
    outdir: join(ROOT, '.data/bundle-test'),
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: await loadPlugins(),
  });
  // The entry and every chunk it imports statically: what Node parses and runs at init.
  const atInit = new Set<string>();
  const visit = (key: string): void => {
    if (atInit.has(key)) return;
    atInit.add(key);
    for (const imported of metafile.outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement') visit(imported.path);
    }
  };
  visit('.data/bundle-test/bundle.js');
  return {
    allInputs: Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs)),
    inputsAtInit: [...atInit].flatMap((key) => Object.keys(metafile.outputs[key]?.inputs ?? {})),
  };
}

/** One request through SST's own plugin bridge (the Node child its CLI runs for `nodejs.plugins`). */
function resolveThroughSstBridge(specifier: string): Promise<Record<string, unknown>> {
  const bridge = join(ROOT, '.sst/platform/functions/nodejs-runtime/plugin.mjs');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bridge, join(ROOT, PLUGINS_FILE)], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        child.kill();
        resolvePromise((JSON.parse(line) as { value: Record<string, unknown> }).value);
      }
    });
    child.once('error', reject);
    const value = {
      path: specifier,
      importer: join(ROOT, 'x.js'),
      namespace: 'file',
      resolveDir: ROOT,
      kind: 'import-statement',
    };
    child.stdin.write(`${JSON.stringify({ id: 0, command: 'resolve', value })}\n`);
  });
}

describe('function bundles (esbuild metafile, as deployed)', () => {
  const bundles = new Map<FunctionName, Set<string>>();

  beforeAll(async () => {
    const plugins = await loadPlugins();
    for (const [name, entry] of Object.entries(FUNCTIONS) as [FunctionName, string][]) {
      bundles.set(name, await bundle(entry, PUSHING.includes(name) ? plugins : []));
    }
  }, 120_000);

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s bundles no package it never calls', (name) => {
    const packages = bundles.get(name) ?? new Set();
    expect([...packages].filter((pkg) => FORBIDDEN[name].includes(pkg))).toEqual([]);
  });

  it('still bundles what each function needs (the check above is not vacuous)', () => {
    expect([...(bundles.get('http') ?? [])]).toEqual(
      expect.arrayContaining([
        'pg',
        'drizzle-orm',
        'bcryptjs',
        'ioredis',
        'jose',
        'hono',
        '@aws-sdk/client-sesv2',
      ]),
    );
    expect([...(bundles.get('ws-connect') ?? [])]).toEqual(expect.arrayContaining(['ioredis', 'jose']));
    expect([...(bundles.get('ws-message') ?? [])]).toEqual(
      expect.arrayContaining(['ioredis', '@aws-sdk/client-apigatewaymanagementapi']),
    );
    expect([...(bundles.get('migrate') ?? [])]).toEqual(
      expect.arrayContaining(['pg', 'drizzle-orm', 'ioredis']),
    );
  });

  it('hands SST splitting and the plugins file for the HTTP and WebSocket functions', () => {
    for (const stack of ['stacks/api.ts', 'stacks/realtime.ts']) {
      expect(readFileSync(join(ROOT, stack), 'utf8')).toContain(
        `splitting: true, plugins: '${PLUGINS_FILE}'`,
      );
    }
  });

  it.each(PUSHING)(
    '%s with splitting loads the management API client only on the first push',
    async (name) => {
      const { allInputs, inputsAtInit } = await splitBuild(name);
      const sdk = (input: string) => input.includes('node_modules/@aws-sdk/client-apigatewaymanagementapi/');
      expect(allInputs.some(sdk)).toBe(true);
      expect(inputsAtInit.filter(sdk)).toEqual([]);
    },
  );

  it('http with splitting loads the SES client only in a chunk the first mail imports', async () => {
    const { allInputs, inputsAtInit } = await splitBuild('http');
    const sdk = (input: string) => input.includes('node_modules/@aws-sdk/client-sesv2/');
    expect(allInputs.some(sdk)).toBe(true);
    expect(inputsAtInit.filter(sdk)).toEqual([]);
  });

  it("swaps the credential chain through SST's own plugin bridge, not only through esbuild's API", async () => {
    expect(await resolveThroughSstBridge('@aws-sdk/credential-provider-node')).toEqual({
      path: SHIM,
      namespace: 'file',
    });
    expect(await resolveThroughSstBridge('ioredis')).toEqual({});
  });

  it('signs pushes with the credentials Lambda puts in the environment, once bundled as deployed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-bundle-'));
    const received: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.once('end', () => res.end());
    });
    try {
      await build({
        stdin: {
          contents: `import { createPushGateway } from './shared/adapters/apigw/push-gateway.ts';
const push = createPushGateway({ endpoint: process.env.ENDPOINT, region: 'us-east-1', maxAttempts: 1 });
console.log(await push.post('connection-1', { type: 'pong' }));`,
          resolveDir: ROOT,
          loader: 'ts',
        },
        ...SST_ESBUILD,
        absWorkingDir: ROOT,
        splitting: true,
        outdir: dir,
        entryNames: 'bundle',
        outExtension: { '.js': '.mjs' },
        logLevel: 'silent',
        plugins: await loadPlugins(),
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const { port } = server.address() as AddressInfo;
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'bundle.mjs')], {
        // No profile, config files or metadata endpoint to fall back on: only the environment.
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          ENDPOINT: `http://127.0.0.1:${port}/test`,
          AWS_ACCESS_KEY_ID: 'AKIAENVONLYTEST',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_SESSION_TOKEN: 'session-token',
        },
      });
      expect(stdout.trim()).toBe('delivered');
      expect(received).toHaveLength(1);
      expect(received[0]?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAENVONLYTEST\/\d{8}\/us-east-1\//,
      );
      expect(received[0]?.['x-amz-security-token']).toBe('session-token');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
