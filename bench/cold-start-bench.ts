import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { shuffle } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface ColdSample {
  /** `await import(bundle)` as the module sees it: Lambda's INIT minus the runtime's own bootstrap. */
  importMs: number;
  /** CPU (user + system) of the child during the import: less sensitive to foreign load than wall time. */
  importCpuMs: number;
  /** With `firstFrame`: the first `handler()` call after the import. */
  firstFrameMs?: number;
}

/** One module to cold-import in the interleaved rounds. */
export interface ColdVariant {
  file: string;
  /** Added to the Lambda environment of the child. */
  env?: Record<string, string>;
  /** After the import, invoke `handler` once with a `$default` frame from an unknown connection. */
  firstFrame?: boolean;
}

// A frame from a connection that has no record: a Redis GET, then an error push and a disconnect through the
// management API, so the first call loads the AWS SDK wherever it is bundled (inline, or a lazy chunk).
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

/** Imports `file` in a brand-new node process (nothing cached but the OS page cache). */
export function coldImport(
  file: string,
  env: Record<string, string>,
  firstFrame = false,
): Promise<ColdSample> {
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
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`cold import of ${file} failed (exit ${code}): ${stderr.slice(-2000)}`));
        return;
      }
      resolvePromise(JSON.parse(line) as ColdSample);
    });
  });
}

/**
 * Every variant once per round, in a fresh random order, so drift and foreign load hit all alike. Round -1
 * warms the OS page cache and is discarded; after 3 kept rounds the run stops at the budget.
 */
export async function coldRounds<K extends string>(
  variants: Record<K, ColdVariant>,
  options: { rounds: number; budgetMs: number; env: Record<string, string> },
): Promise<Record<K, ColdSample[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as ColdSample[]])) as Record<
    K,
    ColdSample[]
  >;
  const deadline = performance.now() + options.budgetMs;
  for (let round = -1; round < options.rounds; round++) {
    if (round >= 3 && performance.now() > deadline) break;
    for (const name of shuffle([...names])) {
      const variant = variants[name];
      const sample = await coldImport(variant.file, { ...options.env, ...variant.env }, variant.firstFrame);
      if (round >= 0) samples[name].push(sample);
    }
  }
  return samples;
}

/**
 * A stand-in management API that answers every call with 410 GoneException, so a child's first frame
 * completes its pushes at once (no retries) after loading the SDK.
 */
export async function startGoneApi(): Promise<{ endpoint: string; close(): Promise<void> }> {
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
