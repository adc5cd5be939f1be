import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAppUnderTest } from './app-under-test.js';
import { type AuthBenchOptions, benchLogin, benchMe, benchRefresh, createAccount } from './auth-bench.js';
import { provisionServices } from './bench-env.js';
import { benchGroups, type GroupBenchOptions } from './group-bench.js';
import { benchHandlerInit } from './handler-init-bench.js';
import { type FigureResult, renderTable } from './report.js';
import { rightSize } from './right-size.js';
import { benchSendMessage } from './send-message-bench.js';
import { benchRealtime, type RealtimeBenchOptions } from './ws-bench.js';

// `npm run bench` (≈ 4 min; `npm run bench -- --quick` ≈ 1.5 min): every figure beside its same-run reference
// and its target; raw JSON in .data/bench/latest.json. Benchmarks print; they assert nothing.
const ROOT = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

const intFrom = (name: string, full: number, quickValue = full): number => {
  const raw = process.env[name];
  const value = raw === undefined ? (quick ? quickValue : full) : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};

const pairCounts = (process.env.BENCH_WS_PAIRS ?? (quick ? '1' : '1,50,200')).split(',').map(Number);
if (!pairCounts.every((count) => Number.isInteger(count) && count >= 1)) {
  throw new Error('BENCH_WS_PAIRS must be a comma-separated list of positive integers');
}

const groupSizes = (process.env.BENCH_GROUP_SIZES ?? '2,16,64,256').split(',').map(Number);
if (!groupSizes.every((size) => Number.isInteger(size) && size >= 2 && size <= 256)) {
  throw new Error('BENCH_GROUP_SIZES must be a comma-separated list of integers from 2 to 256');
}

const options: AuthBenchOptions & {
  coldRounds: number;
  coldBudgetMs: number;
  ws: RealtimeBenchOptions;
  send: { messages: number; warmup: number; trafficUnits: number };
  groups: GroupBenchOptions;
} = {
  bcryptCost: intFrom('BENCH_BCRYPT_COST', 12),
  loginIterations: intFrom('BENCH_LOGIN_ITERATIONS', 20, 8),
  loginConcurrency: intFrom('BENCH_LOGIN_CONCURRENCY', 4),
  loginThroughputRounds: intFrom('BENCH_LOGIN_THROUGHPUT_ROUNDS', 3, 1),
  fastIterations: intFrom('BENCH_FAST_ITERATIONS', 2000, 500),
  trafficUnits: intFrom('BENCH_TRAFFIC_UNITS', 200, 50),
  coldRounds: intFrom('BENCH_COLD_ROUNDS', 11, 5),
  // Caps per phase, reached only when the machine is busy; the table shows each n.
  budgetMs: quick
    ? { login: 20_000, loginThroughput: 10_000, refresh: 5_000, me: 5_000 }
    : { login: 40_000, loginThroughput: 20_000, refresh: 12_000, me: 12_000 },
  coldBudgetMs: quick ? 30_000 : 75_000,
  ws: {
    pairCounts,
    rounds: intFrom('BENCH_WS_ROUNDS', 3, 2),
    runMs: intFrom('BENCH_WS_RUN_MS', 2000, 1000),
    warmupMs: 400,
    // Each unit is a whole message through the emulator, with MONITOR on: fewer are enough.
    trafficUnits: Math.min(50, intFrom('BENCH_TRAFFIC_UNITS', 200, 50)),
    // Latency rounds of all pair counts together; connecting comes on top.
    budgetMs: quick ? 10_000 : 35_000,
  },
  send: { messages: intFrom('BENCH_SEND_MESSAGES', 300, 100), warmup: 20, trafficUnits: 50 },
  groups: {
    sizes: groupSizes,
    messages: intFrom('BENCH_GROUP_MESSAGES', 60, 20),
    warmup: 5,
    trafficUnits: intFrom('BENCH_GROUP_TRAFFIC_UNITS', 10, 5),
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
    'figures 4–5: bundling every function (single file, splitting, previous commit) and cold-importing them',
  );
  const init = await benchHandlerInit({
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
    const cost = rightSize({
      loginWallMs: login.raw.wall.inProcess.p50,
      loginCpuMs: login.raw.cpu.inProcess.p50,
      meWallMs: me.raw.wall.inProcess.p50,
      meCpuMs: me.raw.cpu.inProcess.p50,
      httpInitMs: init.deployedImportMs.http,
    });
    figures.push(login, refresh, me, init);
    progress('figure 7: sendMessage through the ws-message handler, counted per message');
    const send = await benchSendMessage(services, options.send);
    progress(
      `figure 6: WebSocket chat through the emulator vs a plain ws relay (${pairCounts.join(', ')} pairs)`,
    );
    const realtime = await benchRealtime(services, options.ws, progress);
    progress(`figure 8: group messages to ${groupSizes.join(', ')} members, beside a 1:1 message`);
    const groups = await benchGroups(services, options.groups, progress);
    figures.push(realtime, send, groups, cost);
  } finally {
    await aut.stop();
  }
} finally {
  await services.cleanup();
}

const rows = figures.flatMap((figure) => figure.rows);
const misses = rows.filter((row) => row.status === 'MISS');
const elapsedS = performance.now() / 1000;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadBefore[0]?.toFixed(2)} → ${loadavg()[0]?.toFixed(2)}`;
console.log(
  `\nBenchmark ${startedAt.toISOString()}${quick ? ' (quick)' : ''} · node ${process.version} · ${machine} · ${elapsedS.toFixed(0)} s`,
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
  quick,
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
