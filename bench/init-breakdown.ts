import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { provisionServices } from './bench-env.js';
import { SST_BUILD as COMMON } from './bundles.js';
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

// What-if swaps, resolved only for imports made by shared/composition/http-deps.ts.
const QUIET_LOGGER = `export class Logger {
  constructor() {}
  debug() {} info() {} warn() {} error(message, details) { console.error(JSON.stringify({ message, ...details })); }
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

// Configuration and frame validation without zod (hand-written, as a lower bound for zod/mini or plain code).
const PLAIN_ENV = `const int = (source, key, fallback) => {
  const raw = source[key]; const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value)) throw new Error('Invalid configuration: ' + key); return value; };
const str = (source, key, fallback) => { const value = source[key] ?? fallback;
  if (value === undefined || value === '') throw new Error('Invalid configuration: ' + key); return value; };
const csv = (value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
export function loadEnv(source = process.env) {
  return { NODE_ENV: source.NODE_ENV ?? 'production', LOG_LEVEL: source.LOG_LEVEL ?? 'INFO',
    DATABASE_URL: new URL(str(source, 'DATABASE_URL')).href, DATABASE_CONNECT_TIMEOUT_MS: int(source, 'DATABASE_CONNECT_TIMEOUT_MS', 1000),
    DATABASE_STATEMENT_TIMEOUT_MS: int(source, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000), DATABASE_POOL_MAX: int(source, 'DATABASE_POOL_MAX', 1),
    REDIS_URL: new URL(str(source, 'REDIS_URL')).href, REDIS_MODE: source.REDIS_MODE ?? 'standalone', REDIS_KEY_PREFIX: source.REDIS_KEY_PREFIX ?? '',
    REDIS_COMMAND_TIMEOUT_MS: int(source, 'REDIS_COMMAND_TIMEOUT_MS', 500), JWT_SIGNING_KEY: str(source, 'JWT_SIGNING_KEY'),
    JWT_PREVIOUS_PUBLIC_KEYS: source.JWT_PREVIOUS_PUBLIC_KEYS ?? '[]', JWT_ISSUER: source.JWT_ISSUER ?? 'serverless-auth-chat',
    PASSWORD_PEPPER: str(source, 'PASSWORD_PEPPER'), BCRYPT_COST: int(source, 'BCRYPT_COST', 12),
    ACCESS_TOKEN_TTL_SECONDS: int(source, 'ACCESS_TOKEN_TTL_SECONDS', 900), REFRESH_TOKEN_TTL_SECONDS: int(source, 'REFRESH_TOKEN_TTL_SECONDS', 2592000),
    SESSION_ABSOLUTE_TTL_SECONDS: int(source, 'SESSION_ABSOLUTE_TTL_SECONDS', 7776000), REFRESH_GRACE_SECONDS: int(source, 'REFRESH_GRACE_SECONDS', 10),
    LOGIN_ACCOUNT_LIMIT: int(source, 'LOGIN_ACCOUNT_LIMIT', 100), LOGIN_IP_LIMIT: int(source, 'LOGIN_IP_LIMIT', 100),
    LOGIN_WINDOW_SECONDS: int(source, 'LOGIN_WINDOW_SECONDS', 900), REGISTER_IP_LIMIT: int(source, 'REGISTER_IP_LIMIT', 30),
    REGISTER_WINDOW_SECONDS: int(source, 'REGISTER_WINDOW_SECONDS', 3600), COOKIE_SECURE: (source.COOKIE_SECURE ?? 'true') !== 'false',
    ALLOWED_ORIGINS: csv(source.ALLOWED_ORIGINS), MAX_BODY_BYTES: int(source, 'MAX_BODY_BYTES', 16384),
    WS_MANAGEMENT_ENDPOINT: source.WS_MANAGEMENT_ENDPOINT, WS_ALLOWED_ORIGINS: csv(source.WS_ALLOWED_ORIGINS),
    WS_TICKET_TTL_SECONDS: int(source, 'WS_TICKET_TTL_SECONDS', 30), WS_CONNECTION_TTL_SECONDS: int(source, 'WS_CONNECTION_TTL_SECONDS', 7500),
    WS_FRAME_LIMIT: int(source, 'WS_FRAME_LIMIT', 30), WS_FRAME_WINDOW_SECONDS: int(source, 'WS_FRAME_WINDOW_SECONDS', 10),
    WS_USER_FRAME_LIMIT: int(source, 'WS_USER_FRAME_LIMIT', 100), WS_MAX_CONNECTIONS_PER_USER: int(source, 'WS_MAX_CONNECTIONS_PER_USER', 10),
    WS_CONNECT_LIMIT: int(source, 'WS_CONNECT_LIMIT', 30), WS_CONNECT_WINDOW_SECONDS: int(source, 'WS_CONNECT_WINDOW_SECONDS', 60),
    MESSAGE_LIMIT: int(source, 'MESSAGE_LIMIT', 60), MESSAGE_WINDOW_SECONDS: int(source, 'MESSAGE_WINDOW_SECONDS', 60),
    SEARCH_LIMIT: int(source, 'SEARCH_LIMIT', 30), SEARCH_WINDOW_SECONDS: int(source, 'SEARCH_WINDOW_SECONDS', 60),
    TICKET_LIMIT: int(source, 'TICKET_LIMIT', 30), TICKET_WINDOW_SECONDS: int(source, 'TICKET_WINDOW_SECONDS', 60),
    LOGIN_ACCOUNT_IP_LIMIT: int(source, 'LOGIN_ACCOUNT_IP_LIMIT', 10),
    AWS_REGION: source.AWS_REGION ?? 'us-east-1' };
}`;
const PLAIN_FRAMES = `import { AppError } from ${src('shared/domain/errors.ts')};
export const MAX_FRAME_BYTES = 24 * 1024;
export function clientMsgIdOf(raw) { const v = raw?.clientMsgId; return typeof v === 'string' && v.length <= 64 ? v : undefined; }
const SHAPES = { sendMessage: ['to', 'body', 'clientMsgId'], typing: ['to'], markRead: ['peerId', 'upTo'], ping: [] };
export function parseClientFrame(body) {
  if (Buffer.byteLength(body, 'utf8') > MAX_FRAME_BYTES) throw new AppError('payload_too_large', 'too large');
  let raw; try { raw = JSON.parse(body); } catch { throw new AppError('malformed_json', 'Frame is not valid JSON'); }
  const fields = raw && typeof raw === 'object' ? SHAPES[raw.action] : undefined;
  const bad = fields === undefined ? ['action'] : fields.filter((f) => typeof raw[f] !== 'string');
  if (bad.length > 0) throw new AppError('validation_failed', 'Frame failed validation',
    { details: bad.map((path) => ({ path, message: 'Invalid input' })), cause: raw });
  const frame = { action: raw.action }; for (const f of fields) frame[f] = raw[f];
  return { frame, raw };
}`;

const DEPS = 'shared/composition/http-deps.ts|';
const NO_LOGGER = { [`${DEPS}@aws-lambda-powertools/logger`]: QUIET_LOGGER };
const LAZY_DB = {
  [`${DEPS}./adapters/db/client.js`]: LAZY_DB_CLIENT,
  [`${DEPS}./adapters/db/user-repository.js`]: LAZY_USER_REPOSITORY,
};
const NO_ZOD = {
  'functions/resource-env.ts|../shared/config/env.js': PLAIN_ENV,
  'shared/ws/handle-frame.ts|./client-frames.js': PLAIN_FRAMES,
};

// Standalone pieces: each imports only what it names, so (its time − hello-world) is its own init cost.
const STUB_DEPS = `new Proxy({ http: { allowedOrigins: [], cookieSecure: true, maxBodyBytes: 16384 } }, {
  get: (target, key) => target[key] ?? new Proxy(() => {}, { get: () => () => {} }) })`;
const PIECES: Record<string, string> = {
  hello: `import { Hono } from 'hono'; import { handle } from 'hono/aws-lambda';
    export const handler = handle(new Hono().get('/', (c) => c.text('ok')));`,
  zod: `import { z } from 'zod'; globalThis.keep = z.object({ a: z.string() });`,
  'zod/mini': `import * as z from 'zod/mini'; globalThis.keep = z.object({ a: z.string() });`,
  'env.ts (zod + loadEnv)': `import { loadEnv } from ${src('shared/config/env.ts')}; globalThis.keep = loadEnv(process.env);`,
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

const HANDLERS: Record<string, { entry: string; swaps?: Record<string, string> }> = {
  'http.ts': { entry: 'functions/http.ts' },
  'http.ts − Powertools Logger': { entry: 'functions/http.ts', swaps: NO_LOGGER },
  'http.ts with lazy pg + drizzle': { entry: 'functions/http.ts', swaps: LAZY_DB },
  'http.ts with lazy pg + drizzle − Logger': {
    entry: 'functions/http.ts',
    swaps: { ...LAZY_DB, ...NO_LOGGER },
  },
  'ws/connect.ts': { entry: 'functions/ws/connect.ts' },
  'ws/connect.ts − zod': { entry: 'functions/ws/connect.ts', swaps: NO_ZOD },
  'ws/connect.ts with lazy pg + drizzle − Logger': {
    entry: 'functions/ws/connect.ts',
    swaps: { ...LAZY_DB, ...NO_LOGGER },
  },
  'ws/connect.ts with lazy pg + drizzle − Logger − zod': {
    entry: 'functions/ws/connect.ts',
    swaps: { ...LAZY_DB, ...NO_LOGGER, ...NO_ZOD },
  },
  'ws/message.ts': { entry: 'functions/ws/message.ts' },
  'ws/message.ts − zod': { entry: 'functions/ws/message.ts', swaps: NO_ZOD },
  'ws/message.ts with lazy pg + drizzle − Logger − zod': {
    entry: 'functions/ws/message.ts',
    swaps: { ...LAZY_DB, ...NO_LOGGER, ...NO_ZOD },
  },
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
  for (const [name, contents] of Object.entries(PIECES)) builds.push(await buildSplit(name, { contents }));
  for (const [name, { entry, swaps }] of Object.entries(HANDLERS)) {
    builds.push(await buildSplit(name, { entry }, swaps ? [swap(swaps)] : []));
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
