import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

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
async function bundle(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  return packagesIn(result.metafile);
}

// Each function carries only what it calls: a package landing where it is never used is a failure here.
const FORBIDDEN: Record<FunctionName, string[]> = {
  http: ['@scalar/api-reference', '@scalar/hono-api-reference'],
  'ws-connect': ['pg', 'drizzle-orm', 'bcryptjs', '@hono/zod-openapi', 'hono', 'zod (full API)'],
  'ws-message': ['pg', 'drizzle-orm', 'bcryptjs', '@hono/zod-openapi', 'hono', 'jose', 'zod (full API)'],
  'ws-disconnect': ['pg', 'drizzle-orm', 'bcryptjs', '@hono/zod-openapi', 'hono', 'jose', 'zod (full API)'],
  // ioredis stays: the migrator mirrors users into the Redis user directory after the schema migrations.
  migrate: ['jose', 'bcryptjs', 'hono', '@hono/zod-openapi', '@aws-sdk/client-apigatewaymanagementapi'],
};

describe('function bundles (esbuild metafile, as deployed)', () => {
  const bundles = new Map<FunctionName, Set<string>>();

  beforeAll(async () => {
    for (const [name, entry] of Object.entries(FUNCTIONS) as [FunctionName, string][]) {
      bundles.set(name, await bundle(entry));
    }
  }, 120_000);

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s bundles no package it never calls', (name) => {
    const packages = bundles.get(name) ?? new Set();
    expect([...packages].filter((pkg) => FORBIDDEN[name].includes(pkg))).toEqual([]);
  });

  it('still bundles what each function needs (the check above is not vacuous)', () => {
    expect([...(bundles.get('http') ?? [])]).toEqual(
      expect.arrayContaining(['pg', 'drizzle-orm', 'bcryptjs', 'ioredis', 'jose', 'hono']),
    );
    expect([...(bundles.get('ws-connect') ?? [])]).toEqual(expect.arrayContaining(['ioredis', 'jose']));
    expect([...(bundles.get('ws-message') ?? [])]).toEqual(
      expect.arrayContaining(['ioredis', '@aws-sdk/client-apigatewaymanagementapi']),
    );
    expect([...(bundles.get('migrate') ?? [])]).toEqual(
      expect.arrayContaining(['pg', 'drizzle-orm', 'ioredis']),
    );
  });
});
