import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { startWsGateway } from '../local/ws-gateway.js';
import { createDeps } from '../shared/composition/http-deps.js';
import { loadEnv } from '../shared/config/env.js';
import { loadRealtimeEnv } from '../shared/config/realtime-env.js';
import type { BenchServices } from './bench-env.js';
import { type ChatUser, provisionChatUsers } from './chat-users.js';
import { startRealtimeFunctions } from './realtime-under-test.js';
import { measureRedisTraffic, type RedisTraffic } from './redis-probe.js';
import { type FigureResult, latencyRows, ms, perSecond, type Row, times } from './report.js';
import { median, shuffle, summarize } from './stats.js';
import { closeAll, closedLoop, FrameTracker, openAll, type Pair } from './ws-load.js';
import { startRelay } from './ws-relay.js';

export interface RealtimeBenchOptions {
  /** Sender → recipient pairs connected at once (each pair is two sockets, one message in flight). */
  pairCounts: number[];
  rounds: number;
  runMs: number;
  warmupMs: number;
  trafficUnits: number;
  /** Cap for the latency rounds of all pair counts together (at least 2 rounds each are always run). */
  budgetMs: number;
}

const HUGE_LIMIT = '1000000000';
const FIGURE = '6 WS chat (emulator)';

const trafficRow = (label: string, traffic: RedisTraffic): Row => ({
  figure: FIGURE,
  measurement: `Redis round trips per message, ${label} (n=${traffic.units})`,
  value: traffic.roundTripsPerUnit.toFixed(2),
  reference: `commands sent ${traffic.commandsPerUnit.toFixed(2)}, seen by MONITOR ${traffic.serverCommandsPerUnit.toFixed(2)}`,
  ratio: '—',
  target: '—',
  status: 'info',
});

/**
 * Figure 6: chat message send → recipient receive through the local WebSocket API emulator with the three
 * WebSocket functions built as deployed (realtime composition root, no Postgres), at several numbers of
 * connected pairs, against a plain `ws` relay at the same load.
 */
export async function benchRealtime(
  services: BenchServices,
  options: RealtimeBenchOptions,
  progress: (message: string) => void,
) {
  // The emulator verifies SigV4 with these, and the unbundled SDK signs with them (as `npm start` does).
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCH';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  let functions: ReturnType<typeof startRealtimeFunctions> | undefined;
  const gateway = await startWsGateway({
    routes: {
      $connect: (event, context) => (functions?.routes.$connect ?? missing)(event, context),
      $disconnect: (event, context) => (functions?.routes.$disconnect ?? missing)(event, context),
      $default: (event, context) => (functions?.routes.$default ?? missing)(event, context),
    },
  });
  const relay = await startRelay();
  const limits = {
    WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint,
    AWS_REGION: 'us-east-1',
    WS_FRAME_LIMIT: HUGE_LIMIT,
    // One process runs every concurrent invocation, where Lambda would run each in its own environment with
    // its own connection: let waits that only this process's saturation causes pass.
    REDIS_COMMAND_TIMEOUT_MS: '10000',
  };
  functions = startRealtimeFunctions(loadRealtimeEnv({ ...services.vars, ...limits }));
  // Postgres only to create the users (registration's writes); the WebSocket functions never see it.
  const http = await createDeps(
    loadEnv({ ...services.vars, ...limits, DATABASE_POOL_MAX: '10', DATABASE_CONNECT_TIMEOUT_MS: '10000' }),
  );
  const settled = async (): Promise<void> => {
    const deadline = performance.now() + 15_000;
    while ((functions?.openSockets() ?? 0) > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  try {
    const maxPairs = Math.max(...options.pairCounts);
    progress(`figure 6: provisioning ${maxPairs * 2} users with sessions`);
    const users = await provisionChatUsers(http.deps, maxPairs * 2);
    const appTarget = (user: ChatUser) => ({
      url: gateway.url,
      options: { headers: { authorization: `Bearer ${user.accessToken}` } },
    });
    const relayTarget = (user: ChatUser) => ({ url: `${relay.url}/?user=${user.id}` });
    const pairsOf = (sockets: WebSocket[], count: number): Pair[] =>
      Array.from({ length: count }, (_, i) => {
        const [sender, recipient, to] = [sockets[2 * i], sockets[2 * i + 1], users[2 * i + 1]];
        if (!sender || !recipient || !to) throw new Error('socket missing');
        return { sender, recipient, toUserId: to.id };
      });

    type Level = Record<'app' | 'relay' | 'appTput' | 'relayTput' | 'appCpu' | 'relayCpu', number[]>;
    const perLevel = new Map<number, Level>();
    let traffic: RedisTraffic | undefined;
    const start = performance.now();

    for (const [levelIndex, count] of options.pairCounts.entries()) {
      const levelDeadline = start + (options.budgetMs * (levelIndex + 1)) / options.pairCounts.length;
      progress(`figure 6: ${count} pair(s): connecting ${count * 2} sockets to the emulator and the relay`);
      const levelUsers = users.slice(0, count * 2);
      const app = new FrameTracker();
      const ref = new FrameTracker();
      // Senders first, then recipients: a presence push to a peer whose $connect is still running gets 410 and
      // deletes that peer's fresh connection record, so pairs never connect simultaneously.
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
            const loop =
              variant === 'app' ? await runApp(tag, options.runMs) : await runRelay(tag, options.runMs);
            result[variant].push(...loop.samples);
            result[`${variant}Tput`].push(loop.messagesPerSecond);
            result[`${variant}Cpu`].push(loop.cpuMsPerMessage);
          }
        }
        if (count === Math.min(...options.pairCounts)) {
          const [pair] = appPairs;
          if (!pair) throw new Error('no pair');
          progress('figure 6: Redis round trips per message through the emulator (MONITOR on)');
          const units = options.trafficUnits;
          traffic = await measureRedisTraffic(
            functions.message.redis,
            services.env.REDIS_URL,
            units,
            async () => {
              for (let i = 0; i < units; i++) {
                await app.send(pair, `t-${i}`);
                await app.allAcked();
              }
            },
          );
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
        ...latencyRows(FIGURE, `${label} send→receive`, app, { label: 'ws relay', summary: relaySummary }),
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
    if (traffic) rows.push(trafficRow('ws-message connection, end to end (1 pair)', traffic));
    const notes = [
      'Figure 6 runs client, emulator, relay and all three functions in one process: CPU per message there is the ' +
        "whole process's; figure 7 isolates the $default handler.",
    ];
    if (traffic) notes.push(`Redis commands per message (ws-message connection): ${traffic.commandMix}.`);
    return { rows, raw: { ...raw, traffic }, notes } satisfies FigureResult;
  } finally {
    await gateway.close();
    await relay.close();
    await functions.close();
    await http.close();
  }
}

async function missing(): Promise<never> {
  throw new Error('WebSocket functions not started');
}
