import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import type { FunctionSpec } from '../stacks/function-specs.js';
import { deployedPlugins, SST_ESBUILD } from '../stacks/sst-esbuild.js';
import { type ZipEntry, zip } from './zip.js';

const ROOT = resolve(import.meta.dirname, '..');

/** SST's Node runtime writes one `bundle.mjs` per function and points the Lambda handler at it. */
export const BUNDLE_FILE = 'bundle.mjs';
/** `functions/http.handler` → `bundle.handler`: the export, now inside bundle.mjs. */
export const lambdaHandler = (spec: FunctionSpec): string =>
  `bundle.${spec.handler.slice(spec.handler.lastIndexOf('.') + 1)}`;

/** The source file SST bundles for a handler (`functions/http.handler` → functions/http.ts). */
const entryOf = (spec: FunctionSpec): string => `${spec.handler.slice(0, spec.handler.lastIndexOf('.'))}.ts`;

/**
 * The function's deployment package as SST builds it (stacks/lambda.ts `nodejs: { format: 'esm', minify: true }`
 * plus the `splitting: true` and plugins file of stacks/api.ts and stacks/realtime.ts; the options
 * tests/infra/bundles.test.ts checks): bundle.mjs, its chunks, and its copyFiles (the migrator's migrations).
 * The migrator gets the same options: it has no dynamic import and no AWS SDK, so they change nothing there.
 */
export async function bundleFunction(spec: FunctionSpec, root = ROOT): Promise<Uint8Array> {
  const outdir = join(root, '.data', 'localstack-bundle');
  const plugins = await deployedPlugins(root);
  const result = await build({
    entryPoints: { bundle: resolve(root, entryOf(spec)) },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    plugins,
    absWorkingDir: root,
    ...SST_ESBUILD,
    write: false,
    logLevel: 'silent',
  });
  const entries: ZipEntry[] = result.outputFiles
    .map((file) => ({ name: relative(outdir, file.path).split(/[\\/]/).join('/'), data: file.contents }))
    .sort((a, b) =>
      a.name === BUNDLE_FILE ? -1 : b.name === BUNDLE_FILE ? 1 : a.name.localeCompare(b.name),
    );
  if (entries[0]?.name !== BUNDLE_FILE)
    throw new Error(`esbuild wrote no ${BUNDLE_FILE} for ${spec.handler}`);
  for (const { from, to } of spec.copyFiles ?? []) entries.push(...(await filesUnder(root, from, to)));
  return zip(entries);
}

async function filesUnder(root: string, from: string, to: string): Promise<ZipEntry[]> {
  const dir = resolve(root, from);
  const found = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = found
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(
    files.map(async (file) => ({
      name: [to, ...relative(dir, file).split(/[\\/]/)].join('/'),
      data: await readFile(file),
    })),
  );
}
