import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM, PRODUCTION, WORKLOAD } from '../../../bench/model/assumptions.js';
import { type MeasuredWork, parseBenchFigures } from '../../../bench/model/bench-figures.js';
import { firstLimits, limits, todaysPeak } from '../../../bench/model/limits.js';
import { runModel } from '../../../bench/model/model.js';
import { sizeRedis, total, variableCost } from '../../../bench/model/monthly-cost.js';
import { billedMs, operationCatalogue } from '../../../bench/model/operations.js';
import { PAGE_FILE, pageFor, SNAPSHOT_FILE } from '../../../bench/model/page.js';
import { AWS_PRICES, nodeType } from '../../../bench/model/prices.js';
import { monthlyUsage, perMillion } from '../../../bench/model/usage.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/** Round figures, so every expected value below can be worked out by hand. */
const MEASURED: MeasuredWork = {
  run: {
    startedAt: '2026-12-03T00:00:00.000Z',
    quick: true,
    node: 'v20',
    cpus: 2,
    loadBefore: 0,
    loadAfter: 0,
    bcryptCompareMs: 250,
  },
  login: { wallMs: 250, cpuMs: 250, redisRoundTrips: 5, redisCommands: 12 },
  refresh: { wallMs: 2, redisRoundTrips: 1, redisCommands: 1 },
  authenticatedRead: { wallMs: 0.5, cpuMs: 0.5, redisRoundTrips: 1, redisCommands: 1 },
  sendMessage: {
    wallMs: 2.5,
    cpuMs: 2,
    redisRoundTrips: 3,
    redisCommands: 10,
    pushes: 2,
    postgresQueries: 0,
  },
  coldImportMs: { http: 100, wsConnect: 100, wsMessage: 100, wsDisconnect: 100 },
};
const ops = operationCatalogue(MEASURED, WORKLOAD, PLATFORM);

describe('scale and cost model', () => {
  it('bills a 512 MB frame its CPU stretched by 1,769/512 plus the Redis and push waits, rounded up', () => {
    // 2 ms × 3.455 + 3 × 0.5 ms + 15 ms (the two pushes go out in parallel) = 23.41 ms → 24 ms.
    expect(ops.sendMessage.billedMs).toBe(24);
    // At 1,769 MB there is no stretch: 250 ms + 5 × 0.5 ms + 1 query × 2 ms = 254.5 → 255 ms.
    expect(ops.login.billedMs).toBe(255);
    expect(
      billedMs('http', { cpuMs: 1, redisRoundTrips: 0, redisCommands: 0, floorMs: 1000 }, PLATFORM),
    ).toBe(1000);
  });

  it('prices a million sends as Lambda, three WebSocket messages each, NAT, logs and bytes out', () => {
    const cost = variableCost(perMillion('sendMessage'), ops, MEASURED, PLATFORM, PRODUCTION);
    const gbSeconds = 0.024 * 0.5 + 0.01 * Math.ceil(100 * (1769 / 512)) * 0.001 * 0.5;
    expect(cost.Lambda).toBeCloseTo(0.2 + 1e6 * gbSeconds * AWS_PRICES.lambdaArmGbSecond.usd, 6);
    expect(cost['API Gateway WebSocket']).toBeCloseTo(3, 9);
    expect(cost['NAT gateways']).toBeCloseTo(((2e6 * 2000) / 1024 ** 3) * 0.045, 9);
    expect(cost.CloudWatch).toBeCloseTo(((1e6 * 400) / 1024 ** 3) * 0.5, 9);
    // MemoryDB bills the bytes each message writes.
    expect(cost.Redis).toBeCloseTo(((1e6 * 1024) / 1024 ** 3) * 0.2, 9);
    expect(cost['API Gateway HTTP API']).toBe(0);
  });

  it('counts a month of the workload: 20 messages and a ping every 30 s for an hour a day per user', () => {
    const month = monthlyUsage(WORKLOAD);
    expect(month.counts.sendMessage).toBeCloseTo(100_000 * 20 * (730 / 24), 3);
    expect(month.counts.ping).toBeCloseTo(100_000 * 120 * (730 / 24), 3);
    expect(month.socketMinutes).toBeCloseTo(100_000 * 60 * (730 / 24), 3);
  });

  it('sizes Redis by the memory 30 days of history need, in whole shards of the node type', () => {
    const sizing = sizeRedis(WORKLOAD, ops, PLATFORM, PRODUCTION);
    // 2 M messages/day × 30 × 275 B + 2 M × 136 B + 250 k users × 2 KiB + 10 k sockets × 300 B.
    const bytes = 2e6 * 30 * 275 + 2e6 * 136 + 250_000 * 2048 + 10_000 * 300;
    expect(sizing.bytesNeeded).toBe(bytes);
    const usable = nodeType(PRODUCTION.redis.nodeType).memoryGiB * 1024 ** 3 * 0.75;
    expect(sizing.shards).toBe(Math.max(PRODUCTION.redis.shards, Math.ceil(bytes / usable)));
    expect(sizing.nodes).toBe(sizing.shards * (1 + PRODUCTION.redis.replicasPerShard));
  });

  it('hits the 500 connects/s quota at 600 k sockets when each connection lasts 20 minutes', () => {
    const sizing = sizeRedis(WORKLOAD, ops, PLATFORM, PRODUCTION);
    const hits = firstLimits(limits(WORKLOAD, ops, PLATFORM, PRODUCTION, sizing), todaysPeak(WORKLOAD));
    const connects = hits.find((hit) => hit.limit.capacity === 500);
    expect(connects?.at?.sockets).toBeCloseTo(600_000, -1);
    const fractions = hits.map((hit) => hit.fraction ?? Number.POSITIVE_INFINITY);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('adds every service line into the monthly total', () => {
    const result = runModel(MEASURED);
    expect(result.monthly.total).toBeCloseTo(total(result.monthly.cost), 9);
    expect(result.monthly.total).toBeGreaterThan(result.slices.realtime + result.slices.auth);
  });

  it('prices hosted auth per MAU above the free tier and picks the Pusher plan that fits the peak', () => {
    const quotes = runModel(MEASURED).hosted;
    const price = (product: string) => quotes.find((quote) => quote.product === product)?.monthlyUsd;
    expect(price('Amazon Cognito, Essentials')).toBeCloseTo((250_000 - 10_000) * 0.015, 9);
    expect(price('Clerk, Pro')).toBeCloseTo(25 + (250_000 - 50_000) * 0.02, 9);
    expect(price('Pusher Channels')).toBe(499);
    const bigger = runModel(MEASURED, { ...WORKLOAD, peakSockets: 50_000 }).hosted;
    expect(bigger.find((quote) => quote.product === 'Pusher Channels')?.monthlyUsd).toBeNull();
  });

  it('names the figure a bench result lacks', () => {
    const snapshot = JSON.parse(read(SNAPSHOT_FILE)) as { figures: unknown[] };
    const withoutSend = { ...snapshot, figures: snapshot.figures.slice(0, 4) };
    expect(() => parseBenchFigures(withoutSend)).toThrow('bench result has no "send" figure');
  });

  it("prices production's Redis as stacks/durable-redis.ts builds it", () => {
    const stack = read('stacks/durable-redis.ts');
    const { nodeType: node, shards, replicasPerShard } = PRODUCTION.redis;
    expect(stack).toContain(`nodeType: '${node}'`);
    expect(stack).toContain(`shards: ${shards},`);
    expect(stack).toContain(`replicasPerShard: ${replicasPerShard},`);
    expect(stack).toContain("engine: 'valkey'");
  });

  it('keeps docs/scale-and-cost.md exactly what the committed snapshot generates', () => {
    expect(read(PAGE_FILE)).toBe(pageFor(JSON.parse(read(SNAPSHOT_FILE))));
  });
});
