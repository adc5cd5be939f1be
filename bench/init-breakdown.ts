import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { provisionServices } from './bench-env.js';
import { SST_BUILD as COMMON, deployedPlugins } from './bundles.js';
import { median, shuffle } from './stats.js';

/**
 * `npx tsx bench/init-breakdown.ts`: where the init time of the handlers goes, as quick what-if measurements
 * (not part of `npm run bench`). Every variant is an SST-style split ESM build imported in a fresh node,
 * interleaved with a hello-world floor; what-if variants swap a module at bundle time (no source change).
 * Then a sampled CPU profile of the real imports, attributed to packages through the source maps.
 */
const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.data', 'bench', 'init-breakdown');
const ROUNDS = Number(process.env.BENCH_INIT_ROUNDS ?? 7);
const PROFILE_RUNS = Number(process.env.BENCH_INIT_PROFILE_RUNS ?? 6);
const src = (path: string): string => JSON.stringify(join(ROOT, path));

// What-if swaps, each resolved only for imports made by the file its key names.
const QUIET_LOGGER = `export class Logger {
  constructor() {}
  debug() {} info() {} warn() {} error(message, details) { console.error(JSON.stringify({ message, ...details })); }
  addContext() {} appendKeys() {} resetKeys() {}
}`;
// pg + drizzle loaded on the first repository call or readiness query, through import() (a lazy chunk).
const LAZY_DB_CLIENT = `export function createDatabase(options) {
  let loaded;
  const load = () => (loaded ??= import(${src('shared/adapters/db/client.ts')}).then((m) => m.createDatabase(options)));
  return {
    db: { load },
    pool: {
      query: async (...args) => (await load()).pool.query(...args),
      end: async () => { if (loaded) await (await loaded).pool.end(); },
    },
  };
}`;
const LAZY_USER_REPOSITORY = `export function createUserRepository(db) {
  let repository;
  const get = () => (repository ??= Promise.all([
    db.load(),
    import(${src('shared/adapters/db/user-repository.ts')}),
  ]).then(([{ db: real }, m]) => m.createUserRepository(real)));
  const lazy = (name) => async (...args) => (await get())[name](...args);
  return { create: lazy('create'), findByEmail: lazy('findByEmail'), findById: lazy('findById'),
    findByIds: lazy('findByIds'), search: lazy('search') };
}`;

/** Replaces a module at bundle time: keys are `<importer path suffix>|<import specifier>`. */
function swap(replacements: Record<string, string>): Plugin {
  const lookup = (importer: string, path: string): string | undefined =>
    Object.entries(replacements).find(([key]) => {
      const [suffix = '', specifier] = key.split('|');
      return specifier === path && importer.endsWith(suffix);
    })?.[0];
  return {
    name: 'what-if',
    setup(b) {
      b.onResolve({ filter: /./ }, (args) => {
        const key = lookup(args.importer, args.path);
        return key === undefined ? undefined : { path: key, namespace: 'what-if' };
      });
      b.onLoad({ filter: /./, namespace: 'what-if' }, (args) => ({
        contents: replacements[args.path] ?? '',
        resolveDir: join(ROOT, 'shared'),
        loader: 'js',
      }));
    },
  };
}

const DEPS = 'shared/composition/http-deps.ts|';
// Every function's logger comes from one composition module (createTelemetry).
const NO_LOGGER = { 'shared/composition/telemetry.ts|@aws-lambda-powertools/logger': QUIET_LOGGER };
const LAZY_DB = {
  [`${DEPS}../adapters/db/client.js`]: LAZY_DB_CLIENT,
  [`${DEPS}../adapters/db/user-repository.js`]: LAZY_USER_REPOSITORY,
};

// Standalone pieces: each imports only what it names, so (its time − hello-world) is its own init cost.
const STUB_DEPS = `new Proxy({ http: { allowedOrigins: [], cookieSecure: true, maxBodyBytes: 16384 } }, {
  get: (target, key) => target[key] ?? new Proxy(() => {}, { get: () => () => {} }) })`;
const PIECES: Record<string, string> = {
  hello: `import { Hono } from 'hono'; import { handle } from 'hono/aws-lambda';
    export const handler = handle(new Hono().get('/', (c) => c.text('ok')));`,
  zod: `import { z } from 'zod'; globalThis.keep = z.object({ a: z.string() });`,
  'zod/mini': `import * as z from 'zod/mini'; globalThis.keep = z.object({ a: z.string() });`,
  'env.ts (zod/mini + loadEnv)': `import { loadEnv } from ${src('shared/config/env.ts')}; globalThis.keep = loadEnv(process.env);`,
  '@hono/zod-openapi': `import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'; globalThis.keep = [OpenAPIHono, createRoute, z];`,
  'create-app.ts import': `import { createApp } from ${src('shared/http/create-app.ts')}; globalThis.keep = createApp;`,
  'create-app.ts import + createApp()': `import { createApp } from ${src('shared/http/create-app.ts')};
    const t = performance.now(); globalThis.keep = createApp(${STUB_DEPS});
    globalThis.__extra = { createAppMs: performance.now() - t };`,
  'pg + drizzle (createDatabase + repository)': `import { createDatabase } from ${src('shared/adapters/db/client.ts')};
    import { createUserRepository } from ${src('shared/adapters/db/user-repository.ts')};
    const { db } = createDatabase({ url: process.env.DATABASE_URL, connectTimeoutMs: 1000, statementTimeoutMs: 1000 });
    globalThis.keep = createUserRepository(db);`,
  'Powertools Logger': `import { Logger } from '@aws-lambda-powertools/logger';
    globalThis.keep = new Logger({ serviceName: 'http', logLevel: 'SILENT' });`,
  'ioredis (createRedis)': `import { createRedis } from ${src('shared/adapters/redis/client.ts')};
    globalThis.keep = createRedis({ url: process.env.REDIS_URL, mode: 'standalone', keyPrefix: 'x:', commandTimeoutMs: 500 });`,
  'jose (loadKeySet)': `import { loadKeySet } from ${src('shared/adapters/crypto/signing-keys.ts')};
    globalThis.keep = await loadKeySet(process.env.JWT_SIGNING_KEY);`,
  'AWS SDK management client': `import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
    globalThis.keep = new ApiGatewayManagementApiClient({ endpoint: 'http://127.0.0.1:9/x', region: 'us-east-1' });`,
};

const HANDLERS: Record<string, { entry: string; swaps?: Record<string, string>; plain?: boolean }> = {
  'http.ts': { entry: 'functions/http.ts' },
  'http.ts − Powertools Logger': { entry: 'functions/http.ts', swaps: NO_LOGGER },
  'http.ts with lazy pg + drizzle': { entry: 'functions/http.ts', swaps: LAZY_DB },
  'http.ts with lazy pg + drizzle − Logger': {
    entry: 'functions/http.ts',
    swaps: { ...LAZY_DB, ...NO_LOGGER },
  },
  'ws/connect.ts': { entry: 'functions/ws/connect.ts' },
  'ws/message.ts': { entry: 'functions/ws/message.ts' },
  'ws/message.ts − Logger': { entry: 'functions/ws/message.ts', swaps: NO_LOGGER },
  // Every build above uses the deployed plugins (stacks/esbuild-plugins.mjs); this one the SDK's whole chain.
  'ws/message.ts, SDK default credential chain': { entry: 'functions/ws/message.ts', plain: true },
};

interface Built {
  name: string;
  entry: string;
  atInitBytes: number;
}

async function buildSplit(
  name: string,
  input: { entry: string } | { contents: string },
  plugins: Plugin[] = [],
): Promise<Built> {
  const outdir = join(OUT, name.replace(/[^A-Za-z0-9]+/g, '-'));
  await rm(outdir, { recursive: true, force: true });
  const entryOptions =
    'entry' in input
      ? { entryPoints: { index: join(ROOT, input.entry) } }
      : {
          stdin: {
            contents: input.contents,
            resolveDir: ROOT,
            loader: 'ts' as const,
            sourcefile: 'index.ts',
          },
        };
  const result = await build({
    ...COMMON,
    ...entryOptions,
    outdir,
    splitting: true,
    entryNames: 'index',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: true,
    plugins,
  });
  const outputs = result.metafile?.outputs ?? {};
  const entryKey = relative(ROOT, join(outdir, 'index.mjs'));
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of outputs[key]?.imports ?? [])
      if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entryKey);
  const atInitBytes = [...seen].reduce((sum, key) => sum + (outputs[key]?.bytes ?? 0), 0);
  return { name, entry: join(outdir, 'index.mjs'), atInitBytes };
}

interface Run {
  importMs: number;
  cpuMs: number;
  extra?: Record<string, number>;
}

function runChild(file: string, env: Record<string, string>, profileDir?: string): Promise<Run> {
  const script = [
    'const c = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const importMs = performance.now() - t; const u = process.cpuUsage(c);',
    'console.log(JSON.stringify({ importMs, cpuMs: (u.user + u.system) / 1000, extra: globalThis.__extra }));',
    'process.exit(0);',
  ].join(' ');
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100'] : [];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', script], {
      env,
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${file}: exit ${code} ${err.slice(-1500)}`));
      else resolvePromise(JSON.parse(line) as Run);
    });
  });
}

const NODE_LABELS: Record<string, string> = {
  compileSourceTextModule: '(node: parse + compile of the bundle files)',
  compileForInternalLoader: '(node: loading built-in modules)',
  requireBuiltin: '(node: loading built-in modules)',
};

interface ProfileNode {
  id: number;
  callFrame: { url: string; lineNumber: number; columnNumber: number; functionName: string };
}

/** Self time of a V8 CPU profile, by npm package (or app file), mapped through the bundles' source maps. */
async function attribute(profileDir: string, totals: Map<string, number>): Promise<void> {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = async (url: string): Promise<SourceMap | null> => {
    if (!maps.has(url)) {
      try {
        const payload = JSON.parse(
          await readFile(`${fileURLToPath(url)}.map`, 'utf8'),
        ) as ConstructorParameters<typeof SourceMap>[0];
        maps.set(url, new SourceMap(payload));
      } catch {
        maps.set(url, null);
      }
    }
    return maps.get(url) ?? null;
  };
  for (const file of await readdir(profileDir)) {
    const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as {
      nodes: ProfileNode[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const [i, id] of profile.samples.entries()) {
      const frame = byId.get(id)?.callFrame;
      const delta = (profile.timeDeltas[i] ?? 0) / 1000;
      if (!frame) continue;
      let key = frame.url ? frame.url : frame.functionName || '(anonymous)';
      if (frame.url.startsWith('file://') && frame.url.includes('/.data/bench/')) {
        const map = await mapFor(frame.url);
        const origin = map?.findEntry(frame.lineNumber, frame.columnNumber);
        const source = origin && 'originalSource' in origin ? String(origin.originalSource) : '';
        key =
          /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
          (source ? `(app) ${source.replace(/^.*?(shared|functions)\//, '$1/')}` : '(bundle, unmapped)');
      } else if (frame.url.startsWith('node:')) {
        key = NODE_LABELS[frame.functionName] ?? '(node internals: loader, other)';
        if (frame.url.includes('undici')) key = '(node: undici, loaded for the fetch globals)';
      }
      totals.set(key, (totals.get(key) ?? 0) + delta);
    }
  }
}

const fmt = (value: number): string => `${value.toFixed(1)} ms`.padStart(10);

const services = await provisionServices(4);
try {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...services.vars,
    WS_MANAGEMENT_ENDPOINT: 'http://127.0.0.1:9/local',
    AWS_REGION: 'us-east-1',
  };
  await mkdir(OUT, { recursive: true });
  const builds: Built[] = [];
  const deployed = await deployedPlugins();
  for (const [name, contents] of Object.entries(PIECES)) {
    builds.push(await buildSplit(name, { contents }, deployed));
  }
  for (const [name, { entry, swaps, plain }] of Object.entries(HANDLERS)) {
    builds.push(
      await buildSplit(name, { entry }, [...(swaps ? [swap(swaps)] : []), ...(plain ? [] : deployed)]),
    );
  }
  const runs = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
  const started = performance.now();
  for (let round = -1; round < ROUNDS; round++) {
    for (const b of shuffle([...builds])) {
      const run = await runChild(b.entry, env);
      if (round >= 0) runs.get(b.name)?.push(run);
    }
    process.stderr.write(
      `round ${round + 1}/${ROUNDS} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  }
  const p50 = (name: string, pick: (run: Run) => number | undefined) =>
    median((runs.get(name) ?? []).map(pick).filter((v): v is number => v !== undefined));
  const helloWall = p50('hello', (r) => r.importMs);
  const helloCpu = p50('hello', (r) => r.cpuMs);
  console.log(`\nFresh-node import, median of ${ROUNDS} interleaved rounds (SST-style split ESM builds)\n`);
  console.log(
    `${'variant'.padEnd(48)}${'wall'.padStart(10)}${'CPU'.padStart(10)}${'CPU−hello'.padStart(12)}  at init`,
  );
  for (const b of builds) {
    const wall = p50(b.name, (r) => r.importMs);
    const cpu = p50(b.name, (r) => r.cpuMs);
    const extra = p50(b.name, (r) => r.extra?.createAppMs);
    console.log(
      `${b.name.padEnd(48)}${fmt(wall)}${fmt(cpu)}${fmt(cpu - helloCpu).padStart(12)}  ${(b.atInitBytes / 1024).toFixed(0)} KB` +
        (Number.isFinite(extra) ? `  (createApp() call ${extra.toFixed(1)} ms)` : ''),
    );
  }
  console.log(`(hello-world floor: wall ${helloWall.toFixed(1)} ms, CPU ${helloCpu.toFixed(1)} ms)`);

  for (const name of ['http.ts', 'ws/message.ts']) {
    const target = builds.find((b) => b.name === name);
    if (!target) continue;
    const dir = join(OUT, `profiles-${name.replace(/[^A-Za-z0-9]+/g, '-')}`);
    await rm(dir, { recursive: true, force: true });
    for (let i = 0; i < PROFILE_RUNS; i++) await runChild(target.entry, env, dir);
    const totals = new Map<string, number>();
    await attribute(dir, totals);
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    console.log(
      `\nCPU profile of importing ${name} (${PROFILE_RUNS} runs, self time per run, 100 µs sampling)`,
    );
    for (const [key, value] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 18)) {
      console.log(`${fmt(value / PROFILE_RUNS)}  ${((100 * value) / all).toFixed(1).padStart(5)}%  ${key}`);
    }
    console.log(`${fmt(all / PROFILE_RUNS)}  total sampled (includes process start and idle)`);
  }
} finally {
  await services.cleanup();
}
process.exit(0);
