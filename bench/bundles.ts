import { readFile, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { deployedPlugins as deployedPluginsOf, SST_ESBUILD } from '../stacks/sst-esbuild.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The very module SST imports, so the bench and the deployed bundles cannot drift apart. */
export const deployedPlugins = (): Promise<Plugin[]> => deployedPluginsOf(ROOT);

/** As SST builds a Node.js function for deploy (stacks/sst-esbuild.ts), with a metafile to size it. */
export const SST_BUILD: BuildOptions = { ...SST_ESBUILD, metafile: true, logLevel: 'error' };

export type Source = { entry: string } | { code: string };

export interface BuildRequest {
  /** Output directory name under `outRoot`. */
  name: string;
  source: Source;
  /** SST `nodejs.splitting`: dynamic imports become chunks of their own, loaded on first use. */
  splitting: boolean;
  plugins: Plugin[];
  outRoot: string;
  /** The tree the sources come from (the previous commit's worktree for the before/after figures). */
  root?: string;
}

export interface Bundle {
  name: string;
  /** The file a Lambda would load (`handler` lives here). */
  entry: string;
  splitting: boolean;
  /** What Node reads and parses at init: the entry and every chunk it imports statically. */
  initBytes: number;
  initGzipBytes: number;
  /** Chunks reached through one import() from init code: read and parsed on first use (0 without splitting). */
  firstUseBytes: number;
  firstUseGzipBytes: number;
  /** Every chunk not loaded at init, including those only the lazy chunks themselves import(). */
  lazyBytes: number;
  lazyGzipBytes: number;
  /** Output bytes per npm package (or `(app)`), largest first, over every output file. */
  contributors: [string, number][];
}

const packageOf = (input: string): string => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(app)';

function contributorsOf(metafile: Metafile): [string, number][] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

/** Builds one function (or reference file) as SST would, and sizes what is parsed at init vs on first use. */
export async function bundle(request: BuildRequest): Promise<Bundle> {
  const root = request.root ?? ROOT;
  const outdir = join(request.outRoot, request.name.replace(/[^A-Za-z0-9]+/g, '-'));
  await rm(outdir, { recursive: true, force: true });
  const sourcefile = 'entry.ts';
  const entryOptions: BuildOptions =
    'entry' in request.source
      ? { entryPoints: { index: join(root, request.source.entry) } }
      : { stdin: { contents: request.source.code, resolveDir: root, loader: 'ts', sourcefile } };
  const result = await build({
    ...SST_BUILD,
    ...entryOptions,
    absWorkingDir: root,
    plugins: request.plugins,
    outdir,
    entryNames: 'index',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: request.splitting,
  });
  const { metafile } = result;
  if (!metafile) throw new Error('esbuild returned no metafile');
  const { outputs } = metafile;
  const entryKey = relative(root, join(outdir, 'index.mjs'));
  if (!outputs[entryKey]) throw new Error(`no entry output ${entryKey} for ${request.name}`);
  // `into` collects `key` and every output it imports statically (what one import() makes Node read and run).
  const closure = (key: string, into: Set<string>, stop: Set<string> = new Set()): Set<string> => {
    if (into.has(key) || stop.has(key)) return into;
    into.add(key);
    for (const imported of outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) closure(imported.path, into, stop);
    }
    return into;
  };
  const atInit = closure(entryKey, new Set());
  // The chunks the code loaded at init reaches with one import() (the management API client on the first push),
  // without what those import() in turn (e.g. the SDK default chain's providers, which fromEnv makes unneeded).
  const firstUse = new Set<string>();
  for (const key of atInit) {
    for (const imported of outputs[key]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' && !imported.external) closure(imported.path, firstUse, atInit);
    }
  }
  const sizes = {
    initBytes: 0,
    initGzipBytes: 0,
    firstUseBytes: 0,
    firstUseGzipBytes: 0,
    lazyBytes: 0,
    lazyGzipBytes: 0,
  };
  for (const key of Object.keys(outputs)) {
    const code = await readFile(join(root, key));
    const gzip = gzipSync(code).length;
    if (atInit.has(key)) {
      sizes.initBytes += code.length;
      sizes.initGzipBytes += gzip;
      continue;
    }
    sizes.lazyBytes += code.length;
    sizes.lazyGzipBytes += gzip;
    if (firstUse.has(key)) {
      sizes.firstUseBytes += code.length;
      sizes.firstUseGzipBytes += gzip;
    }
  }
  return {
    name: request.name,
    entry: join(outdir, 'index.mjs'),
    splitting: request.splitting,
    ...sizes,
    contributors: contributorsOf(metafile),
  };
}
