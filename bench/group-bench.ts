import { randomUUID } from 'node:crypto';
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
import { type FigureResult, latencyRows, type Row } from './report.js';
import { summarize } from './stats.js';
import { closeAll, MESSAGE_BODY, openOne } from './ws-load.js';

export interface GroupBenchOptions {
  /** Group sizes, members included the sender; each member has one socket. */
  sizes: number[];
  /** Messages timed per size (sent one after another), after `warmup` untimed ones. */
  messages: number;
  warmup: number;
  /** Messages per size counted with the Redis probe (MONITOR on, so never timed). */
  trafficUnits: number;
}

const FIGURE = '8 Group chat (emulator)';
const RECEIVE_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 20;

interface Pending {
  remaining: Set<string>;
  sentAt: number;
  acked: boolean;
  done: (lastArrivalMs: number) => void;
  fail: (error: Error) => void;
}

/**
 * Every socket's frames land here: a delivered copy (`message` or `groupMessage`) ticks its recipient off the
 * message's pending set, the sender's ack marks it acked; a message completes when both happened, at the
 * time the last recipient got its copy. An `error` frame fails the run.
 */
class FanOutTracker {
  private readonly pending = new Map<string, Pending>();
  private lastArrival = new Map<string, number>();

  attach(ws: WebSocket, userId: string): void {
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as {
        type?: string;
        clientMsgId?: string;
        message?: { clientMsgId?: string };
        code?: string;
      };
      if (frame.type === 'error') {
        for (const entry of this.pending.values())
          entry.fail(new Error(`error frame: ${JSON.stringify(frame)}`));
        return;
      }
      const id = frame.message?.clientMsgId ?? frame.clientMsgId ?? '';
      const entry = this.pending.get(id);
      if (!entry) return;
      if (frame.type === 'groupAck' || frame.type === 'ack') entry.acked = true;
      else if (frame.type === 'groupMessage' || frame.type === 'message') {
        if (entry.remaining.delete(userId)) this.lastArrival.set(id, at);
      } else return;
      if (entry.acked && entry.remaining.size === 0) {
        this.pending.delete(id);
        entry.done((this.lastArrival.get(id) ?? at) - entry.sentAt);
        this.lastArrival.delete(id);
      }
    });
  }

  /** Sends one frame and resolves with send → last recipient's copy, in ms (after the ack arrived too). */
  send(sender: WebSocket, frame: Record<string, unknown>, clientMsgId: string, recipients: string[]) {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`message ${clientMsgId} not delivered to everyone`)),
        RECEIVE_TIMEOUT_MS,
      );
      this.pending.set(clientMsgId, {
        remaining: new Set(recipients),
        sentAt: performance.now(),
        acked: false,
        done: (latency) => {
          clearTimeout(timer);
          resolve(latency);
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      sender.send(JSON.stringify({ ...frame, clientMsgId }));
    });
  }
}

/**
 * Figure 8: one message to a group of 2, 16, 64 and 256 members, each member with one socket, through the
 * local WebSocket API emulator and the three WebSocket functions built as deployed: send → the last member's
 * copy (p50, p99), and Redis round trips per message; the same for a 1:1 message as the reference.
 */
export async function benchGroups(
  services: BenchServices,
  options: GroupBenchOptions,
  progress: (message: string) => void,
): Promise<FigureResult> {
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCH';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  let functions: ReturnType<typeof startRealtimeFunctions> | undefined;
  const missing = async (): Promise<never> => {
    throw new Error('WebSocket functions not started');
  };
  const gateway = await startWsGateway({
    routes: {
      $connect: (event, context) => (functions?.routes.$connect ?? missing)(event, context),
      $disconnect: (event, context) => (functions?.routes.$disconnect ?? missing)(event, context),
      $default: (event, context) => (functions?.routes.$default ?? missing)(event, context),
    },
  });
  const limits = {
    WS_MANAGEMENT_ENDPOINT: gateway.managementEndpoint,
    AWS_REGION: 'us-east-1',
    WS_FRAME_LIMIT: '1000000000',
    REDIS_COMMAND_TIMEOUT_MS: '10000',
  };
  const started = startRealtimeFunctions(loadRealtimeEnv({ ...services.vars, ...limits }));
  functions = started;
  const http = await createDeps(
    loadEnv({ ...services.vars, ...limits, DATABASE_POOL_MAX: '10', DATABASE_CONNECT_TIMEOUT_MS: '10000' }),
  );
  const tracker = new FanOutTracker();
  const sockets = new Map<string, WebSocket>();
  try {
    const largest = Math.max(...options.sizes);
    progress(`figure 8: provisioning ${largest} users and one socket each`);
    const users = await provisionChatUsers(http.deps, largest);
    let next = 0;
    const connectWorker = async (): Promise<void> => {
      while (next < users.length) {
        const user = users[next++] as ChatUser;
        const ws = await openOne(gateway.url, { headers: { authorization: `Bearer ${user.accessToken}` } });
        tracker.attach(ws, user.id);
        sockets.set(user.id, ws);
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connectWorker));
    const senderSocket = sockets.get(users[0]?.id ?? '');
    if (!senderSocket) throw new Error('sender socket missing');

    const groups = started.message.deps.groups;
    const timed = async (label: string, frameOf: () => Record<string, unknown>, recipients: string[]) => {
      // clientMsgId allows only [A-Za-z0-9_-]: a run tag, the label's digits and a counter.
      const run = randomUUID().slice(0, 8);
      const slug = label.replace(/[^A-Za-z0-9]+/g, '_');
      const idOf = (phase: string, i: number): string => `${phase}-${slug}-${run}-${i}`;
      for (let i = 0; i < options.warmup; i++) {
        await tracker.send(senderSocket, frameOf(), idOf('w', i), recipients);
      }
      const samples: number[] = [];
      for (let i = 0; i < options.messages; i++) {
        samples.push(await tracker.send(senderSocket, frameOf(), idOf('t', i), recipients));
      }
      progress(
        `figure 8: ${label}: measuring Redis round trips (${options.trafficUnits} messages, MONITOR on)`,
      );
      const traffic = await measureRedisTraffic(
        started.message.redis,
        services.env.REDIS_URL,
        options.trafficUnits,
        async () => {
          for (let i = 0; i < options.trafficUnits; i++) {
            await tracker.send(senderSocket, frameOf(), idOf('r', i), recipients);
          }
        },
      );
      return { summary: summarize(samples), traffic };
    };

    const [first, second] = users;
    if (!first || !second) throw new Error('need two users');
    progress('figure 8: 1:1 reference');
    const direct = await timed('1:1', () => ({ action: 'sendMessage', to: second.id, body: MESSAGE_BODY }), [
      second.id,
    ]);
    const results = new Map<number, { summary: ReturnType<typeof summarize>; traffic: RedisTraffic }>();
    for (const size of options.sizes) {
      const members = users.slice(0, size);
      const group = await groups.create({
        groupId: randomUUID(),
        name: `Bench ${size}`,
        creatorId: first.id,
        memberIds: members.slice(1).map((user) => user.id),
        atMs: Date.now(),
      });
      progress(`figure 8: group of ${size}: ${options.warmup} warm-up + ${options.messages} timed messages`);
      results.set(
        size,
        await timed(
          `${size} members`,
          () => ({ action: 'sendMessage', groupId: group.id, body: MESSAGE_BODY }),
          members.slice(1).map((user) => user.id),
        ),
      );
    }

    const rows: Row[] = [];
    const reference = { label: '1:1', summary: direct.summary };
    rows.push(...latencyRows(FIGURE, '1:1 send → recipient', direct.summary, reference));
    rows.push(trafficRow('1:1', direct.traffic));
    for (const [size, result] of results) {
      rows.push(...latencyRows(FIGURE, `${size} members: send → last member`, result.summary, reference));
      rows.push(trafficRow(`${size} members`, result.traffic));
    }
    return {
      rows,
      raw: {
        direct,
        groups: Object.fromEntries([...results].map(([size, result]) => [`members${size}`, result])),
      },
      notes: [
        'Figure 8 runs clients, emulator and functions in one process on this machine: pushes to N sockets cost ' +
          'N management-API calls through the emulator, so latency grows with N here mostly from CPU; ' +
          'Redis round trips per message are the figure that carries over to AWS (budget ≤ 2 before the first push).',
      ],
    };
  } finally {
    await closeAll([...sockets.values()]);
    await gateway.close();
    await started.close();
    await http.close();
  }
}

const trafficRow = (label: string, traffic: RedisTraffic): Row => ({
  figure: FIGURE,
  measurement: `${label}: Redis round trips per message, whole send (n=${traffic.units})`,
  value: traffic.roundTripsPerUnit.toFixed(2),
  reference: `commands ${traffic.commandsPerUnit.toFixed(2)} (${traffic.commandMix})`,
  ratio: '—',
  target: '—',
  status: 'info',
});
