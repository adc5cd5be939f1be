import { performance } from 'node:perf_hooks';

/** One timed operation; resolves when the operation (including reading any response body) is done. */
export type Sampler = () => Promise<unknown>;

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); with few samples p99 is simply the max. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: median(sorted),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Wall time and this process's CPU time (user + system) of one call, in milliseconds. */
interface Sample {
  wall: number;
  cpu: number;
}

async function measure(sampler: Sampler): Promise<Sample> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await sampler();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
  return items;
}

export interface Series {
  wall: number[];
  cpu: number[];
}

export interface Schedule {
  iterations: number;
  warmup: number;
  /** Stop early (after at least 5 measured iterations) once this much wall time has passed. */
  budgetMs: number;
}

/**
 * Runs every variant once per iteration, in a fresh random order each time, so drift and foreign load on a
 * noisy machine hit all variants alike. Warm-up iterations are run the same way and discarded.
 */
export async function interleave<K extends string>(
  variants: Record<K, Sampler>,
  schedule: Schedule,
): Promise<Record<K, Series>> {
  const names = Object.keys(variants) as K[];
  const series = new Map<K, Series>(names.map((name) => [name, { wall: [], cpu: [] }]));
  const deadline = performance.now() + schedule.budgetMs;
  const minimum = Math.min(schedule.iterations, 5);
  for (let i = -schedule.warmup; i < schedule.iterations; i++) {
    if (i >= minimum && performance.now() > deadline) break;
    for (const name of shuffle([...names])) {
      const sample = await measure(variants[name]);
      if (i < 0) continue;
      series.get(name)?.wall.push(sample.wall);
      series.get(name)?.cpu.push(sample.cpu);
    }
  }
  return Object.fromEntries(series) as Record<K, Series>;
}

/** Closed loop: `concurrency` workers issue `total` calls back to back; returns completed calls per second. */
export async function throughput(sampler: Sampler, options: { concurrency: number; total: number }) {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < options.total) {
      started += 1;
      await sampler();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return { opsPerSecond: (options.total * 1000) / elapsedMs, elapsedMs };
}
