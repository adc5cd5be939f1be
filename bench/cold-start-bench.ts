import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { type FigureResult, kb, latencyRows, ms, type Row, times } from './report.js';
import { shuffle, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');

// CJS dependencies (pg, ioredis, bcryptjs) call `require` for Node built-ins; give the ESM bundle one.
const BANNER =
  "import { createRequire as __benchCreateRequire } from 'node:module';\nconst require = __benchCreateRequire(import.meta.url);";

const HELLO_WORLD = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
export const handler = handle(new Hono().get('/', (c) => c.text('ok')));
`;

// The floor for this stack: the same runtime libraries, imported but not wired (no zod, OpenAPI, logger).
const LIBRARIES_ONLY = `export { Hono } from 'hono';
export { handle } from 'hono/aws-lambda';
export { default as pg } from 'pg';
export { drizzle } from 'drizzle-orm/node-postgres';
export { Redis } from 'ioredis';
export * as jose from 'jose';
export { default as bcrypt } from 'bcryptjs';
`;

export const COMMON: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // As SST's ESM build does (pkg/runtime/node): ESM entry points first, and names kept.
  mainFields: ['module', 'main'],
  keepNames: true,
  banner: { js: BANNER },
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

export interface Bundle {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Output bytes per npm package (or `(app)` for this repo's code), largest first. */
  contributors: [string, number][];
}

export function contributorsOf(metafile: Metafile): [string, number][] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(app)';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

async function bundle(outfile: string, entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<Bundle> {
  const result = await build({ ...COMMON, ...entry, outfile });
  if (!result.metafile) throw new Error('esbuild returned no metafile');
  const code = await readFile(outfile);
  return {
    file: outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    contributors: contributorsOf(result.metafile),
  };
}

export interface Sample {
  importMs: number;
  /** CPU (user + system) the child spent inside the import: less sensitive to foreign load than wall time. */
  importCpuMs: number;
  wallMs: number;
  /** With `firstFrame`: the first `handler()` call after the import (a frame from an unknown connection). */
  firstFrameMs?: number;
}

/** An extra module to cold-import in the same interleaved rounds (figure 5 and the split build of figure 4). */
export interface ColdVariant {
  file: string;
  /** Added to the Lambda environment of the child. */
  env?: Record<string, string>;
  /** After the import, invoke `handler` once with a `$default` frame from an unknown connection. */
  firstFrame?: boolean;
}

// A frame from a connection that has no record: Redis GET + rate-limit hit, then an error push and a
// disconnect through the management API, so the first call loads the AWS SDK wherever it is bundled.
const FIRST_FRAME_EVENT = {
  requestContext: {
    routeKey: '$default',
    eventType: 'MESSAGE',
    connectionId: 'AAAAAAAAAAAAAAAAAAAAAAAA',
    domainName: '127.0.0.1',
    stage: 'local',
  },
  body: '{"action":"ping"}',
};

/** Imports `file` in a brand-new node process; import time as the module sees it, wall time as the parent does. */
export function coldImport(file: string, env: Record<string, string>, firstFrame = false): Promise<Sample> {
  const script = [
    'const c = process.cpuUsage();',
    'const t = performance.now();',
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const importMs = performance.now() - t;',
    'const u = process.cpuUsage(c);',
    'let firstFrameMs;',
    firstFrame
      ? `const f = performance.now(); await m.handler(${JSON.stringify(FIRST_FRAME_EVENT)}); firstFrameMs = performance.now() - f;`
      : '',
    'console.log(JSON.stringify({ importMs, importCpuMs: (u.user + u.system) / 1000, firstFrameMs }));',
    'process.exit(0);',
  ].join(' ');
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - start;
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`cold import of ${file} failed (exit ${code}): ${stderr.slice(-2000)}`));
        return;
      }
      resolvePromise({ ...(JSON.parse(line) as Omit<Sample, 'wallMs'>), wallMs });
    });
  });
}

/** Figure 4: bundle size and module-init time of `functions/http.ts` against a hello-world Hono Lambda. */
export async function benchColdStart(options: {
  rounds: number;
  budgetMs: number;
  lambdaEnv: Record<string, string>;
  extraVariants?: Record<string, ColdVariant>;
}) {
  const figure = '4 Lambda init';
  const outDir = join(ROOT, '.data', 'bench');
  await mkdir(outDir, { recursive: true });
  const emptyFile = join(outDir, 'empty.mjs');
  await writeFile(emptyFile, 'export {};\n');
  const app = await bundle(join(outDir, 'http.mjs'), { entryPoints: [join(ROOT, 'functions', 'http.ts')] });
  const hello = await bundle(join(outDir, 'hello-world.mjs'), {
    stdin: { contents: HELLO_WORLD, resolveDir: ROOT, loader: 'ts', sourcefile: 'hello-world.ts' },
  });
  const libraries = await bundle(join(outDir, 'libraries-only.mjs'), {
    stdin: { contents: LIBRARIES_ONLY, resolveDir: ROOT, loader: 'ts', sourcefile: 'libraries-only.ts' },
  });

  // Only what a Lambda would see: no NODE_OPTIONS or tsx loader hooks leaking in from this process.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...options.lambdaEnv };
  const variants = { app: app.file, hello: hello.file, libraries: libraries.file, empty: emptyFile };
  const samples: Record<keyof typeof variants, Sample[]> = { app: [], hello: [], libraries: [], empty: [] };
  const extras = options.extraVariants ?? {};
  const extraSamples: Record<string, Sample[]> = Object.fromEntries(
    Object.keys(extras).map((name) => [name, []]),
  );
  const names = [...Object.keys(variants), ...Object.keys(extras)];
  const deadline = performance.now() + options.budgetMs;
  // Round -1 warms the OS page cache and is discarded; stop early on a slow machine after 3 kept rounds.
  for (let round = -1; round < options.rounds; round++) {
    if (round >= 3 && performance.now() > deadline) break;
    for (const name of shuffle(names)) {
      const extra = extras[name];
      const sample = extra
        ? await coldImport(extra.file, { ...env, ...extra.env }, extra.firstFrame)
        : await coldImport(variants[name as keyof typeof variants], env);
      if (round < 0) continue;
      if (extra) extraSamples[name]?.push(sample);
      else samples[name as keyof typeof variants].push(sample);
    }
  }
  const importOf = (name: keyof typeof variants) => summarize(samples[name].map((s) => s.importMs));
  const wallOf = (name: keyof typeof variants) => summarize(samples[name].map((s) => s.wallMs));
  const s = {
    appImport: importOf('app'),
    helloImport: importOf('hello'),
    librariesImport: importOf('libraries'),
    appCpu: summarize(samples.app.map((s) => s.importCpuMs)),
    helloCpu: summarize(samples.hello.map((s) => s.importCpuMs)),
    appWall: wallOf('app'),
    helloWall: wallOf('hello'),
    emptyWall: wallOf('empty'),
  };

  const sizeRow = (label: string, value: number, ref: number): Row => ({
    figure,
    measurement: label,
    value: kb(value),
    reference: `hello-world ${kb(ref)}`,
    ratio: times(value / ref),
    target: '—',
    status: 'info',
  });
  const rows: Row[] = [
    ...latencyRows(
      figure,
      'module import, single file (fresh node)',
      s.appImport,
      { label: 'hello-world', summary: s.helloImport },
      { text: '≤ 1.5× hello-world', ok: (_p50, ratio) => ratio <= 1.5 },
    ),
    {
      figure,
      measurement: 'control: libraries-only bundle import p50',
      value: ms(s.librariesImport.p50),
      reference: `hello-world p50 ${ms(s.helloImport.p50)}`,
      ratio: times(s.librariesImport.p50 / s.helloImport.p50),
      target: '—',
      status: 'info',
    },
    {
      figure,
      measurement: 'module import CPU of the child p50',
      value: ms(s.appCpu.p50),
      reference: `hello-world ${ms(s.helloCpu.p50)}`,
      ratio: times(s.appCpu.p50 / s.helloCpu.p50),
      target: '—',
      status: 'info',
    },
    {
      figure,
      measurement: `process spawn→exit p50 (n=${s.appWall.n})`,
      value: ms(s.appWall.p50),
      reference: `hello-world ${ms(s.helloWall.p50)}; empty module ${ms(s.emptyWall.p50)}`,
      ratio: times(s.appWall.p50 / s.helloWall.p50),
      target: '—',
      status: 'info',
    },
    sizeRow('bundle size, raw', app.bytes, hello.bytes),
    sizeRow('bundle size, gzip', app.gzipBytes, hello.gzipBytes),
    sizeRow('control: libraries-only bundle, raw', libraries.bytes, hello.bytes),
  ];
  const top = app.contributors
    .slice(0, 6)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
  const awsSdkBytes = app.contributors
    .filter(([name]) => /^@(aws-sdk|smithy|aws-crypto)\//.test(name))
    .reduce((sum, [, bytes]) => sum + bytes, 0);
  const notes = [`Largest inputs of the functions/http.ts bundle: ${top}.`];
  if (awsSdkBytes > 0) {
    notes.push(
      `AWS SDK code in that bundle: ${kb(awsSdkBytes)}. A dynamic import() is inlined (lazily evaluated, but ` +
        'parsed at load) unless esbuild runs with splitting: true.',
    );
  }
  return {
    rows,
    raw: { summaries: s, samples, extraSamples, bundles: { app, hello, libraries } },
    notes,
    extraSamples,
    summaries: s,
    bundles: { app, hello },
  } satisfies FigureResult & Record<string, unknown>;
}
