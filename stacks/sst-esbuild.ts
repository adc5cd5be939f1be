import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

// Plain module (no SST globals): the bench, the LocalStack deployer and the bundle test build functions as
// SST 4.17 deploys them, from this one description, so none of them can drift from the others.

// SST's ESM banner (pkg/runtime/node/build.go): bundled CommonJS packages (pg, ioredis) call require() and
// read __dirname.
const SST_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  'const require = topLevelCreateRequire(import.meta.url);',
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
].join('\n');

/** As SST builds a Node.js function for deploy: bundled, minified, ESM, module entry points first, names kept. */
export const SST_ESBUILD: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  keepNames: true,
  external: ['sharp', 'pg-native'],
  banner: { js: SST_BANNER },
};

/** The `nodejs.plugins` file stacks/api.ts and stacks/realtime.ts hand SST. */
export const PLUGINS_FILE = 'stacks/esbuild-plugins.mjs';

/** The very plugins module SST imports for the deployed functions. */
export async function deployedPlugins(root: string): Promise<Plugin[]> {
  const module = (await import(pathToFileURL(join(root, PLUGINS_FILE)).href)) as { default: Plugin[] };
  return module.default;
}
