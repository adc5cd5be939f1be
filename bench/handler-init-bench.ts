import { rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import {
  type Bundle,
  benchColdStart,
  COMMON,
  type ColdVariant,
  contributorsOf,
  type Sample,
} from './cold-start-bench.js';
import { type FigureResult, kb, latencyRows, ms, type Row, times } from './report.js';
import { type Summary, summarize } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, '.data', 'bench');
const SDK_PACKAGE = /node_modules\/@aws-sdk\/client-apigatewaymanagementapi\//;

const HANDLERS = {
  connect: join(ROOT, 'functions', 'ws', 'connect.ts'),
  disconnect: join(ROOT, 'functions', 'ws', 'disconnect.ts'),
  message: join(ROOT, 'functions', 'ws', 'message.ts'),
} as const;
type HandlerName = keyof typeof HANDLERS;

/** An `esbuild --splitting` build (what SST's `nodejs: { splitting: true }` produces): an entry plus chunks. */
interface SplitBundle {
  entry: string;
  /** The entry plus every chunk it imports statically: what Node parses at init. */
  initBytes: number;
  /** Chunks reached only through a dynamic import(), parsed on first use. */
  lazyBytes: number;
  lazyPackages: [string, number][];
  /** Whether the management API client sits in a lazy chunk (not parsed at init). */
  sdkIsLazy: boolean;
}

async function bundleSingle(entry: string, outfile: string): Promise<Bundle> {
  const result = await build({ ...COMMON, entryPoints: [entry], outfile });
  if (!result.metafile) throw new Error('esbuild returned no metafile');
  const { size } = await stat(outfile);
  return { file: outfile, bytes: size, gzipBytes: Number.NaN, contributors: contributorsOf(result.metafile) };
}

async function bundleSplit(entry: string, outdir: string): Promise<SplitBundle> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    ...COMMON,
    entryPoints: [entry],
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
  });
  const outputs = result.metafile?.outputs;
  if (!outputs) throw new Error('esbuild returned no metafile');
  // Dynamically imported modules are entry points too in the metafile: match the real one by its source.
  const source = relative(ROOT, entry);
  const entryKey = Object.keys(outputs).find((key) => outputs[key]?.entryPoint === source);
  if (!entryKey) throw new Error(`no entry output for ${entry}`);
  const atInit = new Set<string>();
  const visit = (key: string): void => {
    if (atInit.has(key)) return;
    atInit.add(key);
    for (const imported of outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryKey);
  let initBytes = 0;
  let lazyBytes = 0;
  let sdkIsLazy = false;
  const lazyPackages = new Map<string, number>();
  for (const [key, output] of Object.entries(outputs)) {
    if (key.endsWith('.map')) continue;
    if (atInit.has(key)) {
      initBytes += output.bytes;
      continue;
    }
    lazyBytes += output.bytes;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (SDK_PACKAGE.test(input)) sdkIsLazy = true;
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(app)';
      lazyPackages.set(name, (lazyPackages.get(name) ?? 0) + bytesInOutput);
    }
  }
  return {
    entry: join(ROOT, entryKey),
    initBytes,
    lazyBytes,
    lazyPackages: [...lazyPackages].sort((a, b) => b[1] - a[1]),
    sdkIsLazy,
  };
}

/**
 * A stand-in management API that answers every call with 410 GoneException, so a child's first frame
 * completes its pushes at once (no retries) after loading the SDK.
 */
async function startGoneApi(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      res.end('{"message":"Gone"}');
    });
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/local`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

const p50 = (samples: Sample[] | undefined, pick: (sample: Sample) => number | undefined): Summary =>
  summarize((samples ?? []).map(pick).filter((value): value is number => value !== undefined));

/**
 * Figures 4 and 5: `functions/http.ts` and the three WebSocket handlers, each bundled as one file (as now)
 * and with `splitting: true` (SST `nodejs: { splitting: true }`), all cold-imported in the same interleaved
 * rounds as the hello-world reference.
 */
export async function benchHandlerInit(options: {
  rounds: number;
  budgetMs: number;
  lambdaEnv: Record<string, string>;
}): Promise<FigureResult> {
  const gone = await startGoneApi();
  try {
    // As deployed: every handler links the WebSocket API, so createDeps builds the SDK-backed push gateway.
    const handlerEnv = {
      WS_MANAGEMENT_ENDPOINT: gone.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    const httpSplit = await bundleSplit(join(ROOT, 'functions', 'http.ts'), join(OUT, 'split-http'));
    const single = {} as Record<HandlerName, Bundle>;
    const split = {} as Record<HandlerName, SplitBundle>;
    for (const name of Object.keys(HANDLERS) as HandlerName[]) {
      single[name] = await bundleSingle(HANDLERS[name], join(OUT, `ws-${name}.mjs`));
      split[name] = await bundleSplit(HANDLERS[name], join(OUT, `split-ws-${name}`));
    }
    const extraVariants: Record<string, ColdVariant> = { httpSplit: { file: httpSplit.entry } };
    for (const name of Object.keys(HANDLERS) as HandlerName[]) {
      const firstFrame = name === 'message';
      extraVariants[name] = { file: single[name].file, firstFrame };
      extraVariants[`${name}Split`] = { file: split[name].entry, firstFrame };
    }
    const lambdaEnv = { ...options.lambdaEnv, ...handlerEnv };
    const cold = await benchColdStart({ ...options, lambdaEnv, extraVariants });
    const hello = cold.summaries.helloImport;
    const helloRef = { label: 'hello-world', summary: hello };
    const importOf = (name: string) => p50(cold.extraSamples[name], (sample) => sample.importMs);
    // CPU of the child: steadier than wall time when other processes compete for the cores.
    const cpuOf = (name: string) => p50(cold.extraSamples[name], (sample) => sample.importCpuMs);

    // Figure 4, split build: the HTTP bundle with the lazily imported SDK in a chunk of its own.
    const httpSplitImport = importOf('httpSplit');
    const fig4 = '4 Lambda init';
    const splitRows: Row[] = [
      ...latencyRows(fig4, 'module import, splitting: true', httpSplitImport, helloRef, {
        text: '≤ 1.5× hello-world',
        ok: (_p50, ratio) => ratio <= 1.5,
      }),
      {
        figure: fig4,
        measurement: 'splitting vs single file, import CPU p50',
        value: ms(cpuOf('httpSplit').p50),
        reference: `single file ${ms(cold.summaries.appCpu.p50)}`,
        ratio: times(cpuOf('httpSplit').p50 / cold.summaries.appCpu.p50),
        target: '—',
        status: 'info',
      },
      {
        figure: fig4,
        measurement: 'splitting: bytes parsed at init',
        value: kb(httpSplit.initBytes),
        reference: `single file ${kb(cold.bundles.app.bytes)}; lazy chunks ${kb(httpSplit.lazyBytes)}`,
        ratio: times(httpSplit.initBytes / cold.bundles.app.bytes),
        target: '—',
        status: 'info',
      },
    ];
    const rows: Row[] = [];
    const at = cold.rows.findIndex((row) =>
      row.measurement.startsWith('control: libraries-only bundle import'),
    );
    rows.push(...cold.rows.slice(0, at), ...splitRows, ...cold.rows.slice(at));

    // Figure 5: the WebSocket handlers.
    const fig5 = '5 WS handler init';
    const raw: Record<string, unknown> = {};
    for (const name of Object.keys(HANDLERS) as HandlerName[]) {
      const one = importOf(name);
      const chunked = importOf(`${name}Split`);
      const [oneCpu, chunkedCpu] = [cpuOf(name), cpuOf(`${name}Split`)];
      raw[name] = {
        single: one,
        split: chunked,
        cpu: { single: oneCpu, split: chunkedCpu },
        sizes: { single: single[name].bytes, split: split[name] },
      };
      rows.push(
        {
          figure: fig5,
          measurement: `${name}: import, single file p50 (n=${one.n})`,
          value: ms(one.p50),
          reference: `hello-world p50 ${ms(hello.p50)}`,
          ratio: times(one.p50 / hello.p50),
          target: '—',
          status: 'info',
        },
        {
          figure: fig5,
          measurement: `${name}: import CPU, splitting: true p50`,
          value: ms(chunkedCpu.p50),
          reference: `single file CPU p50 ${ms(oneCpu.p50)} (wall: ${ms(chunked.p50)} vs ${ms(one.p50)})`,
          ratio: times(chunkedCpu.p50 / oneCpu.p50),
          target: '—',
          status: 'info',
        },
        {
          figure: fig5,
          measurement: `${name}: bundle raw, single file`,
          value: kb(single[name].bytes),
          reference: `splitting: ${kb(split[name].initBytes)} at init + ${kb(split[name].lazyBytes)} lazy`,
          ratio: times(single[name].bytes / cold.bundles.hello.bytes),
          target: '— (ratio vs hello-world)',
          status: 'info',
        },
      );
    }
    const frameOf = (name: string) => p50(cold.extraSamples[name], (sample) => sample.firstFrameMs);
    const totalOf = (name: string) =>
      p50(cold.extraSamples[name], (sample) =>
        sample.firstFrameMs === undefined ? undefined : sample.importMs + sample.firstFrameMs,
      );
    const [frameSingle, frameSplit] = [frameOf('message'), frameOf('messageSplit')];
    const [totalSingle, totalSplit] = [totalOf('message'), totalOf('messageSplit')];
    raw.messageFirstFrame = { frameSingle, frameSplit, totalSingle, totalSplit };
    rows.push(
      {
        figure: fig5,
        measurement: 'message: first frame after init, single file p50',
        value: ms(frameSingle.p50),
        reference: `splitting p50 ${ms(frameSplit.p50)} (loads the SDK chunk)`,
        ratio: times(frameSplit.p50 / frameSingle.p50),
        target: '—',
        status: 'info',
      },
      {
        figure: fig5,
        measurement: 'message: init + first frame, splitting p50',
        value: ms(totalSplit.p50),
        reference: `single file p50 ${ms(totalSingle.p50)}`,
        ratio: times(totalSplit.p50 / totalSingle.p50),
        target: '—',
        status: 'info',
      },
    );

    const lazyTop = httpSplit.lazyPackages
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ');
    const notes = [
      ...(cold.notes ?? []),
      `splitting: true moves ${kb(httpSplit.lazyBytes)} of functions/http.ts into lazy chunks (${lazyTop}); ` +
        `management API client lazy in every split build: ${
          httpSplit.sdkIsLazy && Object.values(split).every((bundle) => bundle.sdkIsLazy) ? 'yes' : 'NO'
        }.`,
      'Figure 5 first frame: a $default frame from an unknown connection (Redis GET + rate-limit hit, error push ' +
        'and disconnect answered 410 by a stub management API), invoked right after the import in the same child.',
    ];
    return {
      rows,
      raw: { ...cold.raw, handlers: raw, httpSplit },
      notes,
    };
  } finally {
    await gone.close();
  }
}
