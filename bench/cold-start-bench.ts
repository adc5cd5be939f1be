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

const COMMON: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  banner: { js: BANNER },
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

interface Bundle {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Output bytes per npm package (or `(app)` for this repo's code), largest first. */
  contributors: [string, number][];
}

function contributorsOf(metafile: Metafile): [string, number][] {
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

interface Sample {
  importMs: number;
  /** CPU (user + system) the child spent inside the import: less sensitive to foreign load than wall time. */
  importCpuMs: number;
  wallMs: number;
}

/** Imports `file` in a brand-new node process; import time as the module sees it, wall time as the parent does. */
function coldImport(file: string, env: Record<string, string>): Promise<Sample> {
  const script = [
    'const c = process.cpuUsage();',
    'const t = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const importMs = performance.now() - t;',
    'const u = process.cpuUsage(c);',
    'console.log(JSON.stringify({ importMs, importCpuMs: (u.user + u.system) / 1000 }));',
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
        reject(new Error(`cold import of ${file} failed (exit ${code}): ${stderr.slice(0, 2000)}`));
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
  const deadline = performance.now() + options.budgetMs;
  // Round -1 warms the OS page cache and is discarded; stop early on a slow machine after 3 kept rounds.
  for (let round = -1; round < options.rounds; round++) {
    if (round >= 3 && performance.now() > deadline) break;
    for (const name of shuffle(Object.keys(variants) as (keyof typeof variants)[])) {
      const sample = await coldImport(variants[name], env);
      if (round >= 0) samples[name].push(sample);
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
      'module import (fresh node)',
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
    raw: { summaries: s, samples, bundles: { app, hello, libraries } },
    notes,
  } satisfies FigureResult;
}
