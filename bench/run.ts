import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAppUnderTest } from './app-under-test.js';
import { type AuthBenchOptions, benchLogin, benchMe, benchRefresh, createAccount } from './auth-bench.js';
import { provisionServices } from './bench-env.js';
import { benchHandlerInit } from './handler-init-bench.js';
import { type FigureResult, renderTable } from './report.js';
import { benchRealtime, type RealtimeBenchOptions } from './ws-bench.js';

// `npm run bench`: every figure beside its same-run reference and its target; raw JSON in .data/bench.
const ROOT = resolve(import.meta.dirname, '..');

const intFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};

const pairCounts = (process.env.BENCH_WS_PAIRS ?? '1,50,200').split(',').map(Number);
if (!pairCounts.every((count) => Number.isInteger(count) && count >= 1)) {
  throw new Error('BENCH_WS_PAIRS must be a comma-separated list of positive integers');
}

const options: AuthBenchOptions & { coldRounds: number; coldBudgetMs: number; ws: RealtimeBenchOptions } = {
  bcryptCost: intFrom('BENCH_BCRYPT_COST', 12),
  loginIterations: intFrom('BENCH_LOGIN_ITERATIONS', 20),
  loginConcurrency: intFrom('BENCH_LOGIN_CONCURRENCY', 4),
  loginThroughputRounds: intFrom('BENCH_LOGIN_THROUGHPUT_ROUNDS', 3),
  fastIterations: intFrom('BENCH_FAST_ITERATIONS', 2000),
  trafficUnits: intFrom('BENCH_TRAFFIC_UNITS', 200),
  coldRounds: intFrom('BENCH_COLD_ROUNDS', 9),
  // Caps per phase (≈ 3.5 min in all with figure 6), reached only when the machine is busy; the table shows each n.
  budgetMs: { login: 45_000, loginThroughput: 25_000, refresh: 15_000, me: 15_000 },
  coldBudgetMs: 30_000,
  ws: {
    pairCounts,
    rounds: intFrom('BENCH_WS_ROUNDS', 3),
    runMs: intFrom('BENCH_WS_RUN_MS', 2000),
    warmupMs: 400,
    // Each unit is a whole message through the emulator, with MONITOR on: fewer are enough.
    trafficUnits: Math.min(50, intFrom('BENCH_TRAFFIC_UNITS', 200)),
    breakdownMessages: 100,
    // Latency rounds of all pair counts together; connecting and the breakdown come on top (≈ 15 s).
    budgetMs: 40_000,
  },
};

const progress = (message: string): void => {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}\n`);
};

const startedAt = new Date();
const loadBefore = loadavg();
progress(`provisioning a throwaway database and Redis prefix (bcrypt cost ${options.bcryptCost})`);
const services = await provisionServices(options.bcryptCost);
// Whatever happens, the throwaway database and the Redis keys go away.
const bail = (code: number) => (reason?: unknown) => {
  if (reason instanceof Error) console.error(reason);
  progress('aborting: cleaning up');
  void services.cleanup().finally(() => process.exit(code));
};
process.once('SIGINT', bail(130));
process.once('SIGTERM', bail(143));
process.once('uncaughtException', bail(1));
process.once('unhandledRejection', bail(1));

const figures: FigureResult[] = [];
try {
  progress(
    'figures 4–5: bundling (single file and splitting) and cold-importing the handlers vs hello-world',
  );
  const cold = await benchHandlerInit({
    rounds: options.coldRounds,
    budgetMs: options.coldBudgetMs,
    lambdaEnv: services.vars,
  });

  const aut = await startAppUnderTest(services.env);
  try {
    const account = await createAccount(aut);
    progress('figure 3: GET /me');
    const me = await benchMe(aut, account, services.env, options);
    progress('figure 2: refresh');
    const refresh = await benchRefresh(aut, account, options);
    progress('figure 1: login (slow: one bcrypt per request)');
    const login = await benchLogin(aut, account, options);
    figures.push(login, refresh, me, cold);
  } finally {
    await aut.stop();
  }
  progress(
    `figure 6: WebSocket chat through the emulator vs a plain ws relay (${pairCounts.join(', ')} pairs)`,
  );
  figures.push(await benchRealtime(services, options.ws, progress));
} finally {
  await services.cleanup();
}

const rows = figures.flatMap((figure) => figure.rows);
const misses = rows.filter((row) => row.status === 'MISS');
const elapsedS = performance.now() / 1000;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadBefore[0]?.toFixed(2)} → ${loadavg()[0]?.toFixed(2)}`;
console.log(
  `\nBenchmark ${startedAt.toISOString()} · node ${process.version} · ${machine} · ${elapsedS.toFixed(0)} s`,
);
console.log(
  'Medians are p50; p99 is nearest-rank (= max for small n). Variants interleaved in random order.\n',
);
console.log(renderTable(rows));
console.log('');
for (const note of figures.flatMap((figure) => figure.notes ?? [])) console.log(`• ${note}`);
console.log(
  misses.length === 0
    ? '\nAll targets met.'
    : `\n${misses.length} target(s) missed: ${misses.map((row) => `${row.figure} / ${row.measurement}`).join('; ')}`,
);

const outDir = join(ROOT, '.data', 'bench');
await mkdir(outDir, { recursive: true });
const outFile = join(outDir, 'latest.json');
const json = {
  startedAt: startedAt.toISOString(),
  elapsedSeconds: elapsedS,
  node: process.version,
  cpus: cpus().length,
  loadavg: { before: loadBefore, after: loadavg() },
  options,
  rows,
  figures: figures.map((figure) => figure.raw),
};
await writeFile(outFile, `${JSON.stringify(json, null, 2)}\n`);
console.log(`Raw results: ${outFile}`);
process.exit(0);
