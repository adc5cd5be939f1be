import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

/** Records which sources a dist/ was built from; a different hash means the build is stale. */
const STAMP_FILE = '.source-hash';
/** Part of the hash: change it when the way of building changes, so old builds count as stale. */
const BUILD_RECIPE = 'vite production build, v2';
const SKIPPED = (name: string): boolean =>
  name === 'dist' || name === 'node_modules' || name.startsWith('.dist-');

export interface WebBuild {
  /** The directory to serve. */
  dir: string;
  /** True when this call ran vite (dist/ was missing or stale). */
  built: boolean;
  ms: number;
}

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => !SKIPPED(entry.name))
      .map((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? listSources(path) : Promise.resolve(entry.isFile() ? [path] : []);
      }),
  );
  return nested.flat().sort();
}

/** A hash of every source under web/ plus the lockfile (a new lit or vite version also means rebuild). */
async function webSourceHash(webDir: string): Promise<string> {
  const hash = createHash('sha256').update(BUILD_RECIPE);
  const lockfile = resolve(webDir, '..', 'package-lock.json');
  for (const file of [...(await listSources(webDir)), lockfile]) {
    hash.update(relative(webDir, file)).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Vite takes an already-set NODE_ENV as the truth (npm start sets `development`, vitest `test`), and with
 * anything but `production` it resolves Lit's development build. So the build runs with `production`.
 */
async function productionBuild(webDir: string, outDir: string): Promise<void> {
  const { build } = await import('vite');
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: webDir,
      configFile: join(webDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Builds web/ into web/dist with vite's JS API when dist/ is missing or was built from other sources.
 * The build goes to a scratch directory that then replaces dist/, so a concurrently running `npm start`
 * never serves a half-written bundle.
 */
export async function ensureWebBuild(webDir: string): Promise<WebBuild> {
  const started = Date.now();
  const dist = join(webDir, 'dist');
  const hash = await webSourceHash(webDir);
  const built = await readFile(join(dist, STAMP_FILE), 'utf8').catch(() => '');
  if (built === hash) return { dir: dist, built: false, ms: Date.now() - started };

  const unique = `${process.pid}-${Date.now()}`;
  const scratch = join(webDir, `.dist-new-${unique}`);
  const old = join(webDir, `.dist-old-${unique}`);
  try {
    await productionBuild(webDir, scratch);
    await writeFile(join(scratch, STAMP_FILE), hash);
    await rename(dist, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(scratch, dist);
  } finally {
    await Promise.all([
      rm(scratch, { recursive: true, force: true }),
      rm(old, { recursive: true, force: true }),
    ]);
  }
  return { dir: dist, built: true, ms: Date.now() - started };
}
