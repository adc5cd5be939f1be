import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import type { WebSocket } from 'ws';
import { startWsGateway, type WsRouteHandlers } from '../local/ws-gateway.js';
import { createDeps } from '../shared/composition/http-deps.js';
import { loadEnv } from '../shared/config/env.js';
import { sendMessage } from '../shared/domain/chat/send-message.js';
import type { AppDeps } from '../shared/http/app-deps.js';
import { handleConnect, handleDisconnect } from '../shared/ws/handle-connect-disconnect.js';
import { handleFrame } from '../shared/ws/handle-frame.js';
import type { BenchServices } from './bench-env.js';
import { measureRedisTraffic, type RedisTraffic } from './redis-probe.js';
import { redisGet } from './reference.js';
import { check, type FigureResult, latencyRows, ms, perSecond, type Row, times } from './report.js';
import { interleave, median, shuffle, summarize } from './stats.js';
import { closeAll, closedLoop, FrameTracker, MESSAGE_BODY, openAll, type Pair } from './ws-load.js';
import { startRelay } from './ws-relay.js';

export interface RealtimeBenchOptions {
  /** Sender → recipient pairs connected at once (each pair is two sockets, one message in flight). */
  pairCounts: number[];
  rounds: number;
  runMs: number;
  warmupMs: number;
  trafficUnits: number;
  breakdownMessages: number;
  /** Cap for the latency rounds of all pair counts together (at least 2 rounds each are always run). */
  budgetMs: number;
}

interface BenchUser {
  id: string;
  accessToken: string;
}

type Log = (message: string, details: Record<string, unknown>) => void;

const HUGE_LIMIT = '1000000000';
const FIGURE = '6 WS chat';

/**
 * Users with a live session and an access token, written straight to the stores (no bcrypt: hundreds of
 * logins at cost 12 would take minutes and measure nothing realtime). Sockets authenticate with Bearer.
 */
async function provisionUsers(deps: AppDeps, count: number): Promise<BenchUser[]> {
  const passwordHash = await bcrypt.hash(randomUUID(), 4);
  const tag = randomUUID().slice(0, 8);
  const one = async (n: number): Promise<BenchUser> => {
    const user = await deps.users.create({
      email: `ws-bench-${tag}-${n}@example.com`,
      passwordHash,
      displayName: `WS bench ${n}`,
    });
    const nowMs = Date.now();
    const sessionId = randomUUID();
    const refreshId = randomUUID();
    const issuedAtSeconds = Math.floor(nowMs / 1000);
    await deps.sessions.create({
      userId: user.id,
      sessionId,
      refreshId,
      issuedAtSeconds,
      refreshExpiresAtMs: nowMs + 3_600_000,
      absoluteExpiresAtMs: nowMs + 3_600_000,
      createdAtMs: nowMs,
      user,
      userAgent: 'bench',
      ip: '198.51.100.7',
    });
    const { token } = await deps.tokens.signAccess({
      userId: user.id,
      sessionId,
      tokenId: refreshId,
      issuedAtSeconds,
      expiresAtSeconds: issuedAtSeconds + deps.policy.accessTtlSeconds,
    });
    return { id: user.id, accessToken: token };
  };
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) => one(i + k));
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

/** Every port method wrapped with a timer: where one message's time goes, step by step. */
function instrument(deps: AppDeps, timings: Map<string, number[]>): AppDeps {
  const wrap = <T extends object>(port: string, target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        const name = `${port}.${String(property)}`;
        return async (...args: unknown[]) => {
          const start = performance.now();
          try {
            return await Reflect.apply(value, object, args);
          } finally {
            const list = timings.get(name) ?? [];
            list.push(performance.now() - start);
            timings.set(name, list);
          }
        };
      },
    });
  return {
    ...deps,
    connections: wrap('connections', deps.connections),
    limiter: wrap('limiter', deps.limiter),
    sessions: wrap('sessions', deps.sessions),
    users: wrap('users', deps.users),
    chat: wrap('chat', deps.chat),
    push: wrap('push', deps.push),
  };
}

/** A bare POST to the emulator's management API: what a push costs without the AWS SDK (signing, middleware). */
function rawPost(endpoint: string, connectionId: string, agent: Agent): () => Promise<void> {
  const body = JSON.stringify({ type: 'pong' });
  const url = `${endpoint}/@connections/${encodeURIComponent(connectionId)}`;
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            // The emulator checks only that a SigV4 header is present.
            authorization: 'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/execute-api/aws4_request',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.once('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`raw POST: ${res.statusCode}`)),
          );
        },
      );
      req.once('error', reject);
      req.end(body);
    });
}

const trafficRow = (label: string, traffic: RedisTraffic, target?: number): Row => ({
  figure: FIGURE,
  measurement: `Redis round trips per message, ${label} (n=${traffic.units})`,
  value: traffic.roundTripsPerUnit.toFixed(2),
  reference: `commands sent ${traffic.commandsPerUnit.toFixed(2)}, seen by MONITOR ${traffic.serverCommandsPerUnit.toFixed(2)}`,
  ratio: '—',
  target: target === undefined ? '—' : `≤ ${target}`,
  status: target === undefined ? 'info' : check(traffic.roundTripsPerUnit <= target),
});

/**
 * Figure 6: chat message send → recipient receive through the local WebSocket API emulator with the real
 * handlers, at several numbers of connected pairs, against a plain `ws` relay at the same load; Redis round
 * trips per message; and where one message's time goes.
 */
export async function benchRealtime(
  services: BenchServices,
  options: RealtimeBenchOptions,
  progress: (message: string) => void,
) {
  // The SDK insists on credentials even for the local management API (as `npm start` sets them).
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const logged: { message: string; details: Record<string, unknown> }[] = [];
  const log: Log = (message, details) => logged.push({ message, details });
  let deps: AppDeps | undefined;
  let frameDeps: AppDeps | undefined;
  const current = (): AppDeps => {
    if (!deps) throw new Error('deps not built yet');
    return deps;
  };
  let opened = 0;
  let disconnected = 0;
  // The same calls functions/ws/{connect,disconnect,message}.ts make, bound to this run's deps.
  const routes: WsRouteHandlers = {
    $connect: async (event) => {
      const result = await handleConnect(current(), event, log);
      if (result.statusCode === 200) opened += 1;
      return result;
    },
    $disconnect: async (event) => {
      try {
        return await handleDisconnect(current(), event, log);
      } finally {
        disconnected += 1;
      }
    },
    $default: async (event) => {
      await handleFrame(frameDeps ?? current(), event.requestContext.connectionId, event.body ?? '', log);
      return { statusCode: 200 };
    },
  };
  const gateway = await startWsGateway({ routes });
  const relay = await startRelay();
  const env = loadEnv({
    ...services.vars,
    WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint,
    AWS_REGION: 'us-east-1',
    WS_FRAME_LIMIT: HUGE_LIMIT,
    // One process runs every concurrent invocation, where Lambda would run each in its own environment with
    // its own connection: give the pool room, and let waits that only this process's saturation causes pass.
    DATABASE_POOL_MAX: '20',
    DATABASE_CONNECT_TIMEOUT_MS: '10000',
    REDIS_COMMAND_TIMEOUT_MS: '10000',
  });
  const built = await createDeps(env);
  deps = built.deps;
  const settled = async (): Promise<void> => {
    const deadline = performance.now() + 15_000;
    while (disconnected < opened && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  try {
    const maxPairs = Math.max(...options.pairCounts);
    progress(`figure 6: provisioning ${maxPairs * 2} users with sessions`);
    const users = await provisionUsers(built.deps, maxPairs * 2);
    const appTarget = (user: BenchUser) => ({
      url: gateway.url,
      options: { headers: { authorization: `Bearer ${user.accessToken}` } },
    });
    const relayTarget = (user: BenchUser) => ({ url: `${relay.url}/?user=${user.id}` });
    const pairsOf = (sockets: WebSocket[], count: number): Pair[] =>
      Array.from({ length: count }, (_, i) => {
        const [sender, recipient, to] = [sockets[2 * i], sockets[2 * i + 1], users[2 * i + 1]];
        if (!sender || !recipient || !to) throw new Error('socket missing');
        return { sender, recipient, toUserId: to.id };
      });

    type Level = Record<'app' | 'relay' | 'appTput' | 'relayTput' | 'appCpu' | 'relayCpu', number[]>;
    const perLevel = new Map<number, Level>();
    let trafficE2e: RedisTraffic | undefined;
    let trafficStore: RedisTraffic | undefined;
    let breakdown: Record<string, { perMessage: number; p50: number }> = {};
    let breakdownE2e = Number.NaN;
    let micro: Record<'sdkPost' | 'rawPost' | 'get', ReturnType<typeof summarize>> | undefined;
    const start = performance.now();

    for (const [levelIndex, count] of options.pairCounts.entries()) {
      const levelDeadline = start + (options.budgetMs * (levelIndex + 1)) / options.pairCounts.length;
      progress(`figure 6: ${count} pair(s): connecting ${count * 2} sockets to the emulator and the relay`);
      const levelUsers = users.slice(0, count * 2);
      const app = new FrameTracker();
      const ref = new FrameTracker();
      // Senders first, then recipients: a presence push to a peer whose $connect is still running gets 410 and
      // deletes that peer's fresh connection record (see the report), so pairs never connect simultaneously.
      const senders = levelUsers.filter((_, i) => i % 2 === 0);
      const recipients = levelUsers.filter((_, i) => i % 2 === 1);
      const interleavePairs = (a: WebSocket[], b: WebSocket[]) =>
        a.flatMap((ws, i) => [ws, b[i] as WebSocket]);
      const appSockets = interleavePairs(
        await openAll(senders.map(appTarget), app),
        await openAll(recipients.map(appTarget), app),
      );
      const relaySockets = interleavePairs(
        await openAll(senders.map(relayTarget), ref),
        await openAll(recipients.map(relayTarget), ref),
      );
      const appPairs = pairsOf(appSockets, count);
      const relayPairs = pairsOf(relaySockets, count);
      const result: Level = { app: [], relay: [], appTput: [], relayTput: [], appCpu: [], relayCpu: [] };
      perLevel.set(count, result);
      const runApp = async (tag: string, durationMs: number) => {
        const loop = await closedLoop(app, appPairs, durationMs, tag);
        // Acks come after the recipient's push: wait for them so no handler work spills into the next run.
        await app.allAcked();
        return loop;
      };
      const runRelay = (tag: string, durationMs: number) => closedLoop(ref, relayPairs, durationMs, tag);
      try {
        await runApp(`w${count}`, options.warmupMs);
        await runRelay(`w${count}`, options.warmupMs);
        for (let round = 0; round < options.rounds; round++) {
          if (round >= 2 && performance.now() > levelDeadline) break;
          for (const variant of shuffle(['app', 'relay'] as const)) {
            const tag = `p${count}r${round}`;
            if (variant === 'app') {
              const loop = await runApp(tag, options.runMs);
              result.app.push(...loop.samples);
              result.appTput.push(loop.messagesPerSecond);
              result.appCpu.push(loop.cpuMsPerMessage);
            } else {
              const loop = await runRelay(tag, options.runMs);
              result.relay.push(...loop.samples);
              result.relayTput.push(loop.messagesPerSecond);
              result.relayCpu.push(loop.cpuMsPerMessage);
            }
          }
        }

        if (count === Math.min(...options.pairCounts)) {
          const [pair] = appPairs;
          const [sender, recipient] = levelUsers;
          if (!pair || !sender || !recipient) throw new Error('no pair');
          const sendSettled = async (clientMsgId: string): Promise<number> => {
            const latency = await app.send(pair, clientMsgId);
            await app.allAcked();
            return latency;
          };
          progress('figure 6: Redis round trips per message (MONITOR on)');
          const units = options.trafficUnits;
          trafficE2e = await measureRedisTraffic(built.redis, env.REDIS_URL, units, async () => {
            for (let i = 0; i < units; i++) await sendSettled(`t-${i}`);
          });
          trafficStore = await measureRedisTraffic(built.redis, env.REDIS_URL, units, async () => {
            for (let i = 0; i < units; i++) {
              await sendMessage(built.deps, {
                from: sender.id,
                to: recipient.id,
                body: MESSAGE_BODY,
                clientMsgId: `s-${i}`,
              });
            }
          });

          progress(
            'figure 6: per-step breakdown of one message (1 pair, instrumented ports), push vs bare POST',
          );
          const timings = new Map<string, number[]>();
          frameDeps = instrument(built.deps, timings);
          const e2e: number[] = [];
          try {
            for (let i = 0; i < options.breakdownMessages; i++) e2e.push(await sendSettled(`b-${i}`));
          } finally {
            frameDeps = undefined;
          }
          breakdownE2e = median(e2e);
          breakdown = Object.fromEntries(
            [...timings].map(([name, values]) => [
              name,
              { perMessage: values.length / e2e.length, p50: median(values) },
            ]),
          );
          const [target] = (await built.deps.connections.lookup(recipient.id)).live;
          if (!target) throw new Error('recipient has no connection record');
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          try {
            const series = await interleave(
              {
                sdkPost: async () => {
                  const outcome = await built.deps.push.post(target.connectionId, { type: 'pong' });
                  if (outcome !== 'delivered') throw new Error(`push: ${outcome}`);
                },
                rawPost: rawPost(gateway.managementEndpoint, target.connectionId, agent),
                get: await redisGet(built.redis, `bench:ref:${randomUUID()}`),
              },
              { iterations: 400, warmup: 40, budgetMs: 5_000 },
            );
            micro = {
              sdkPost: summarize(series.sdkPost.wall),
              rawPost: summarize(series.rawPost.wall),
              get: summarize(series.get.wall),
            };
          } finally {
            agent.destroy();
          }
        }
      } finally {
        await closeAll([...appSockets, ...relaySockets]);
        await settled();
      }
      if (app.errors.length > 0 || ref.errors.length > 0) {
        throw new Error(`error frames during the run: ${JSON.stringify([...app.errors, ...ref.errors][0])}`);
      }
    }

    const rows: Row[] = [];
    const raw: Record<string, unknown> = {};
    for (const [count, result] of perLevel) {
      const app = summarize(result.app);
      const relaySummary = summarize(result.relay);
      raw[`pairs${count}`] = { ...result, app, relay: relaySummary };
      const label = `${count} pair${count === 1 ? '' : 's'} (${count * 2} sockets)`;
      rows.push(
        ...latencyRows(
          FIGURE,
          `${label} send→receive`,
          app,
          { label: 'ws relay', summary: relaySummary },
          { text: '≤ 3× relay', ok: (_p50, ratio) => ratio <= 3 },
        ),
        {
          figure: FIGURE,
          measurement: `${label} throughput (${result.appTput.length} rounds)`,
          value: perSecond(median(result.appTput)),
          reference: `ws relay ${perSecond(median(result.relayTput))}`,
          ratio: times(median(result.appTput) / median(result.relayTput)),
          target: '—',
          status: 'info',
        },
        {
          figure: FIGURE,
          measurement: `${label} CPU per message, whole process`,
          value: ms(median(result.appCpu)),
          reference: `ws relay ${ms(median(result.relayCpu))}`,
          ratio: times(median(result.appCpu) / median(result.relayCpu)),
          target: '—',
          status: 'info',
        },
      );
    }
    // The recipient's critical path, step by step: what the handler waits for before the message is pushed.
    const step = (name: string): number => breakdown[name]?.p50 ?? Number.NaN;
    const criticalPath =
      Math.max(step('connections.find'), step('limiter.hit')) +
      step('sessions.findActive') +
      step('users.findById') +
      step('chat.append') +
      step('chat.recordDelivery') +
      step('connections.listForUser') +
      step('push.post');
    rows.push({
      figure: FIGURE,
      measurement: 'breakdown: sum of step p50s before the recipient has it',
      value: ms(criticalPath),
      reference: `end to end p50 ${ms(breakdownE2e)} (1 pair, one message at a time)`,
      ratio: times(criticalPath / breakdownE2e),
      target: '—',
      status: 'info',
    });
    if (trafficE2e) rows.push(trafficRow('end to end (1 pair)', trafficE2e));
    if (trafficStore) rows.push(trafficRow('chat store (append + recordDelivery)', trafficStore, 2));
    if (micro) {
      rows.push(
        {
          figure: FIGURE,
          measurement: `breakdown: one push via AWS SDK p50 (n=${micro.sdkPost.n})`,
          value: ms(micro.sdkPost.p50),
          reference: `bare HTTP POST p50 ${ms(micro.rawPost.p50)}`,
          ratio: times(micro.sdkPost.p50 / micro.rawPost.p50),
          target: '—',
          status: 'info',
        },
        {
          figure: FIGURE,
          measurement: 'breakdown: bare HTTP POST to @connections p50',
          value: ms(micro.rawPost.p50),
          reference: `Redis GET p50 ${ms(micro.get.p50)}`,
          ratio: times(micro.rawPost.p50 / micro.get.p50),
          target: '—',
          status: 'info',
        },
      );
    }
    const steps = Object.entries(breakdown)
      .sort((a, b) => b[1].p50 * b[1].perMessage - a[1].p50 * a[1].perMessage)
      .map(([name, { perMessage, p50 }]) => {
        const count = Math.round(perMessage * 10) / 10;
        return `${name} ${ms(p50)}${count === 1 ? '' : ` ×${count}`}`;
      })
      .join(', ');
    const notes = [
      `Per-step p50 of one message (1 pair, sequential, end to end p50 ${ms(breakdownE2e)}): ${steps}. ` +
        'connections.find ‖ limiter.hit and the two listForUser calls run concurrently; the rest is sequential.',
    ];
    if (trafficE2e) notes.push(`Redis commands per message (end to end): ${trafficE2e.commandMix}.`);
    if (trafficStore) notes.push(`Redis commands per message (chat store): ${trafficStore.commandMix}.`);
    const failures = logged.filter((entry) => entry.message !== 'push failed');
    if (logged.length > 0)
      notes.push(`Handler log entries during the run: ${logged.length} (${failures.length} failures).`);
    return {
      rows,
      raw: { ...raw, traffic: { endToEnd: trafficE2e, store: trafficStore }, breakdown, breakdownE2e, micro },
      notes,
    } satisfies FigureResult;
  } finally {
    await gateway.close();
    await relay.close();
    await built.close();
  }
}
