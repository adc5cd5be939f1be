import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Env } from '../shared/config/env.js';
import { type AppUnderTest, type Client, expectStatus, jsonPost } from './app-under-test.js';
import { measureRedisTraffic, type RedisTraffic } from './redis-probe.js';
import { bcryptCompare, joseVerify, redisGet } from './reference.js';
import { check, type FigureResult, latencyRows, ms, perSecond, type Row, times } from './report.js';
import {
  interleave,
  median,
  type Sampler,
  type Series,
  type Summary,
  summarize,
  throughput,
} from './stats.js';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface Account {
  email: string;
  password: string;
}

export interface AuthBenchOptions {
  bcryptCost: number;
  loginIterations: number;
  loginConcurrency: number;
  loginThroughputRounds: number;
  fastIterations: number;
  trafficUnits: number;
  /** Wall-time caps per phase, so a loaded machine cannot stretch the run past a few minutes. */
  budgetMs: { login: number; loginThroughput: number; refresh: number; me: number };
}

async function login(client: Client, account: Account): Promise<TokenPair> {
  const res = await client('/auth/login', jsonPost({ ...account, transport: 'token' }));
  expectStatus(res, 200, 'login');
  return JSON.parse(res.body) as TokenPair;
}

export async function createAccount(aut: AppUnderTest): Promise<Account> {
  const account = { email: `bench-${randomUUID()}@example.com`, password: 'correct horse battery staple' };
  const res = await aut.inProcess('/auth/register', jsonPost({ ...account, displayName: 'Bench User' }));
  expectStatus(res, 201, 'register');
  return account;
}

/** A refresh-token chain: every call rotates the session's current token and keeps the new one. */
function refreshChain(client: Client, first: TokenPair): Sampler {
  let current = first.refreshToken;
  return async () => {
    const res = await client('/auth/refresh', jsonPost({ refreshToken: current }));
    expectStatus(res, 200, 'refresh');
    current = (JSON.parse(res.body) as TokenPair).refreshToken;
  };
}

function summarizeAll<K extends string>(series: Record<K, Series>, pick: 'wall' | 'cpu'): Record<K, Summary> {
  const entries = Object.entries<Series>(series).map(([name, values]) => [name, summarize(values[pick])]);
  return Object.fromEntries(entries) as Record<K, Summary>;
}

const mixNote = (label: string, traffic: RedisTraffic): string =>
  `Redis commands per ${label}: ${traffic.commandMix} (socket writes = round trips: ${traffic.roundTripsPerUnit.toFixed(2)}).`;

function trafficRow(figure: string, label: string, traffic: RedisTraffic, target?: number): Row {
  const consistent =
    traffic.roundTripsPerUnit === target &&
    traffic.commandsPerUnit === target &&
    traffic.serverCommandsPerUnit === target;
  return {
    figure,
    measurement: `Redis round trips per ${label} (n=${traffic.units})`,
    value: traffic.roundTripsPerUnit.toFixed(2),
    reference: `commands sent ${traffic.commandsPerUnit.toFixed(2)}, seen by MONITOR ${traffic.serverCommandsPerUnit.toFixed(2)}`,
    ratio: '—',
    target: target === undefined ? '—' : `= ${target}`,
    status: target === undefined ? 'info' : check(consistent),
  };
}

const cpuRow = (figure: string, label: string, value: Summary, refLabel: string, ref: Summary): Row => ({
  figure,
  measurement: `${label} CPU of this process p50`,
  value: ms(value.p50),
  reference: `${refLabel} CPU p50 ${ms(ref.p50)}`,
  ratio: times(value.p50 / ref.p50),
  target: '—',
  status: 'info',
});

/** Figure 1: login latency and throughput against one bcrypt verify at the same cost. */
export async function benchLogin(aut: AppUnderTest, account: Account, options: AuthBenchOptions) {
  const figure = `1 login (cost ${options.bcryptCost})`;
  const bcrypt = await bcryptCompare(options.bcryptCost);
  const get = await redisGet(aut.redis, `bench:ref:${randomUUID()}`);
  // Control: the same CPU burst followed by one I/O wait, as login has (session write after the verify).
  // If login misses while its CPU ratio and this control are also off, the machine's scheduling is to blame.
  const bcryptThenGet: Sampler = async () => {
    await bcrypt();
    await get();
  };
  const loginIn: Sampler = () => login(aut.inProcess, account);
  const loginGw: Sampler = () => login(aut.viaGateway, account);

  const series = await interleave(
    { inProcess: loginIn, gateway: loginGw, bcrypt, bcryptThenGet },
    { iterations: options.loginIterations, warmup: 2, budgetMs: options.budgetMs.login },
  );
  const wall = summarizeAll(series, 'wall');
  const cpu = summarizeAll(series, 'cpu');

  const tput: Record<'inProcess' | 'gateway' | 'bcrypt', number[]> = {
    inProcess: [],
    gateway: [],
    bcrypt: [],
  };
  const load = { concurrency: options.loginConcurrency, total: options.loginConcurrency * 2 };
  const deadline = performance.now() + options.budgetMs.loginThroughput;
  for (let round = 0; round < options.loginThroughputRounds; round++) {
    if (round > 0 && performance.now() > deadline) break;
    tput.inProcess.push((await throughput(loginIn, load)).opsPerSecond);
    tput.bcrypt.push((await throughput(bcrypt, load)).opsPerSecond);
    tput.gateway.push((await throughput(loginGw, load)).opsPerSecond);
  }
  const traffic = await measureRedisTraffic(aut.redis, aut.env.REDIS_URL, 3, async () => {
    for (let i = 0; i < 3; i++) await loginIn();
  });

  const reference = { label: 'bcrypt compare', summary: wall.bcrypt };
  const target = { text: '≤ 1.05× bcrypt', ok: (_p50: number, ratio: number) => ratio <= 1.05 };
  const bcryptTput = median(tput.bcrypt);
  const tputRow = (label: string, values: number[]): Row => ({
    figure,
    measurement: `${label} throughput, ${load.concurrency} in flight (${values.length} rounds)`,
    value: perSecond(median(values)),
    reference: `bcrypt compares ${perSecond(bcryptTput)}`,
    ratio: times(median(values) / bcryptTput),
    target: '—',
    status: 'info',
  });
  const rows: Row[] = [
    ...latencyRows(figure, 'in-process', wall.inProcess, reference, target),
    cpuRow(figure, 'in-process', cpu.inProcess, 'bcrypt compare', cpu.bcrypt),
    ...latencyRows(figure, 'via gateway', wall.gateway, reference, target),
    cpuRow(figure, 'via gateway', cpu.gateway, 'bcrypt compare', cpu.bcrypt),
    {
      figure,
      measurement: 'control: bcrypt compare, then 1 Redis GET p50',
      value: ms(wall.bcryptThenGet.p50),
      reference: `bcrypt compare p50 ${ms(wall.bcrypt.p50)}`,
      ratio: times(wall.bcryptThenGet.p50 / wall.bcrypt.p50),
      target: '— (≈1.00× when quiet)',
      status: 'info',
    },
    tputRow('in-process', tput.inProcess),
    tputRow('via gateway', tput.gateway),
    trafficRow(figure, 'login', traffic),
  ];
  return {
    rows,
    raw: { wall, cpu, series, throughput: tput, traffic },
    notes: [mixNote('login', traffic)],
  } satisfies FigureResult;
}

/** Figure 2: refresh rotation latency, and proof that it is one Redis round trip (one EVALSHA). */
export async function benchRefresh(aut: AppUnderTest, account: Account, options: AuthBenchOptions) {
  const figure = '2 refresh';
  const direct = await login(aut.inProcess, account);
  const claims = await aut.deps.tokens.verifyRefresh(direct.refreshToken);
  if (!claims) throw new Error('login returned an unverifiable refresh token');
  let presented = claims.tokenId;
  const rotateOnly: Sampler = async () => {
    const nowMs = Date.now();
    const next = randomUUID();
    const outcome = await aut.deps.sessions.rotate({
      userId: claims.userId,
      sessionId: claims.sessionId,
      presentedRefreshId: presented,
      newRefreshId: next,
      nowMs,
      graceMs: 10_000,
      newRefreshExpiresAtMs: nowMs + 3_600_000,
    });
    if (outcome.kind !== 'rotated') throw new Error(`rotate: ${outcome.kind}`);
    presented = next;
  };

  const series = await interleave(
    {
      inProcess: refreshChain(aut.inProcess, await login(aut.inProcess, account)),
      gateway: refreshChain(aut.viaGateway, await login(aut.viaGateway, account)),
      get: await redisGet(aut.redis, `bench:ref:${randomUUID()}`),
      rotateOnly,
    },
    { iterations: options.fastIterations, warmup: 200, budgetMs: options.budgetMs.refresh },
  );
  const wall = summarizeAll(series, 'wall');

  const units = options.trafficUnits;
  const inChain = refreshChain(aut.inProcess, await login(aut.inProcess, account));
  const gwChain = refreshChain(aut.viaGateway, await login(aut.viaGateway, account));
  const trafficIn = await measureRedisTraffic(aut.redis, aut.env.REDIS_URL, units, async () => {
    for (let i = 0; i < units; i++) await inChain();
  });
  const trafficGw = await measureRedisTraffic(aut.redis, aut.env.REDIS_URL, units, async () => {
    for (let i = 0; i < units; i++) await gwChain();
  });

  const reference = { label: 'Redis GET', summary: wall.get };
  const rows: Row[] = [
    ...latencyRows(figure, 'in-process', wall.inProcess, reference),
    ...latencyRows(figure, 'via gateway', wall.gateway, reference),
    {
      figure,
      measurement: 'breakdown: rotation Lua alone p50',
      value: ms(wall.rotateOnly.p50),
      reference: `Redis GET p50 ${ms(wall.get.p50)}`,
      ratio: times(wall.rotateOnly.p50 / wall.get.p50),
      target: '— (perf.md: 1.26–1.28×)',
      status: 'info',
    },
    trafficRow(figure, 'refresh, in-process', trafficIn, 1),
    trafficRow(figure, 'refresh, via gateway', trafficGw, 1),
  ];
  return {
    rows,
    raw: { wall, traffic: { inProcess: trafficIn, gateway: trafficGw } },
    notes: [mixNote('refresh (in-process)', trafficIn), mixNote('refresh (via gateway)', trafficGw)],
  } satisfies FigureResult;
}

/**
 * Figure 3: authenticated `GET /me` (a warm instance: the token's signature was checked once and its claims are
 * cached; the session is still read from Redis every time), against the framework floor (`GET /health` through
 * the same app and middleware) plus one Redis read.
 */
export async function benchMe(aut: AppUnderTest, account: Account, env: Env, options: AuthBenchOptions) {
  const figure = '3 GET /me';
  const { accessToken } = await login(aut.inProcess, account);
  const auth = { headers: { authorization: `Bearer ${accessToken}` } };
  const publicJwk = aut.deps.publicJwks[0];
  if (!publicJwk) throw new Error('no public JWK');
  const claims = await aut.deps.tokens.verifyAccess(accessToken);
  if (!claims) throw new Error('login returned an unverifiable access token');
  const me =
    (client: Client): Sampler =>
    async () =>
      expectStatus(await client('/me', auth), 200, 'GET /me');

  const series = await interleave(
    {
      inProcess: me(aut.inProcess),
      gateway: me(aut.viaGateway),
      get: await redisGet(aut.redis, `bench:ref:${randomUUID()}`),
      verify: await joseVerify(publicJwk, accessToken, {
        issuer: env.JWT_ISSUER,
        audience: `${env.JWT_ISSUER}/api`,
        typ: 'at+jwt',
      }),
      appVerify: async () => {
        if (!(await aut.deps.tokens.verifyAccess(accessToken))) throw new Error('verifyAccess failed');
      },
      appSession: async () => {
        if (!(await aut.deps.sessions.findActive(claims.userId, claims.sessionId)))
          throw new Error('no session');
      },
      health: async () => expectStatus(await aut.inProcess('/health'), 200, 'GET /health'),
    },
    { iterations: options.fastIterations, warmup: 200, budgetMs: options.budgetMs.me },
  );
  const wall = summarizeAll(series, 'wall');
  const cpu = summarizeAll(series, 'cpu');

  const units = options.trafficUnits;
  const trafficIn = await measureRedisTraffic(aut.redis, aut.env.REDIS_URL, units, async () => {
    for (let i = 0; i < units; i++) await me(aut.inProcess)();
  });
  const trafficGw = await measureRedisTraffic(aut.redis, aut.env.REDIS_URL, units, async () => {
    for (let i = 0; i < units; i++) await me(aut.viaGateway)();
  });

  const reference = {
    label: '/health + Redis GET',
    summary: { ...wall.get, p50: wall.health.p50 + wall.get.p50, p99: wall.health.p99 + wall.get.p99 },
  };
  const breakdown = (label: string, value: number, refLabel: string, ref: number): Row => ({
    figure,
    measurement: `breakdown: ${label} p50`,
    value: ms(value),
    reference: `${refLabel} ${ms(ref)}`,
    ratio: times(value / ref),
    target: '—',
    status: 'info',
  });
  const cpuReference = { ...cpu.get, p50: cpu.health.p50 + cpu.get.p50 };
  const rows: Row[] = [
    ...latencyRows(figure, 'in-process', wall.inProcess, reference, {
      text: '≤ 1.2× (/health + GET)',
      ok: (_p50, ratio) => ratio <= 1.2,
    }),
    cpuRow(figure, 'in-process', cpu.inProcess, '/health + GET', cpuReference),
    ...latencyRows(figure, 'via gateway', wall.gateway, reference),
    breakdown('in-process GET /health (framework floor)', wall.health.p50, 'Redis GET p50', wall.get.p50),
    breakdown(
      'app tokens.verifyAccess (what the claims cache skips)',
      wall.appVerify.p50,
      'jose verify p50',
      wall.verify.p50,
    ),
    breakdown('app sessions.findActive (HMGET)', wall.appSession.p50, 'Redis GET p50', wall.get.p50),
    trafficRow(figure, 'request, in-process', trafficIn, 1),
    trafficRow(figure, 'request, via gateway', trafficGw, 1),
  ];
  return {
    rows,
    raw: { wall, cpu, traffic: { inProcess: trafficIn, gateway: trafficGw } },
    notes: [mixNote('GET /me (in-process)', trafficIn), mixNote('GET /me (via gateway)', trafficGw)],
  } satisfies FigureResult;
}
