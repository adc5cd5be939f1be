import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { FunctionSpec } from '../stacks/function-specs.js';
import { type ZipEntry, zip } from './zip.js';

const ROOT = resolve(import.meta.dirname, '..');

/** SST's Node runtime writes one `bundle.mjs` per function and points the Lambda handler at it. */
export const BUNDLE_FILE = 'bundle.mjs';
/** The `nodejs.plugins` file stacks/api.ts and stacks/realtime.ts hand SST. */
const PLUGINS_FILE = 'stacks/esbuild-plugins.mjs';

// What SST's ESM builds prepend: bundled CommonJS packages (pg, ioredis) call require() and read __dirname.
const ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  'const require = topLevelCreateRequire(import.meta.url);',
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
].join('\n');

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
  const { default: plugins } = (await import(pathToFileURL(join(root, PLUGINS_FILE)).href)) as {
    default: Plugin[];
  };
  const result = await build({
    entryPoints: { bundle: resolve(root, entryOf(spec)) },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    plugins,
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: ['sharp', 'pg-native'],
    banner: { js: ESM_BANNER },
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
