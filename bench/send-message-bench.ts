import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDeps } from '../shared/composition/http-deps.js';
import { createRealtimeDeps } from '../shared/composition/realtime-deps.js';
import { loadEnv } from '../shared/config/env.js';
import { loadRealtimeEnv } from '../shared/config/realtime-env.js';
import type { RealtimeDeps } from '../shared/domain/realtime/realtime-deps.js';
import { handleFrame } from '../shared/ws/handle-frame.js';
import type { BenchServices } from './bench-env.js';
import { provisionChatUsers } from './chat-users.js';
import { measureRedisTraffic } from './redis-probe.js';
import { check, type FigureResult, ms, type Row, times } from './report.js';
import { median, summarize } from './stats.js';
import { MESSAGE_BODY } from './ws-load.js';

const FIGURE = '7 sendMessage (ws-message handler)';
const HUGE_LIMIT = '1000000000';

// A management API that accepts every push (200) in a process of its own, so its CPU is not counted here.
const STUB = `const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200); res.end(); }); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

async function startStubApi(): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return { endpoint: `http://127.0.0.1:${port}/bench`, child };
}

interface PerMessage {
  wallMs: number;
  cpuMs: number;
  redisRoundTrips: number;
  roundTripsBeforeFirstPush: number;
  postgresQueries: number;
  pushes: number;
}

/**
 * Figure 7: one `sendMessage` frame through `handleFrame` with the deps functions/ws/message.ts builds (warm
 * instance: the connection record cached after the first frame), sender and recipient with one socket each.
 * Counts, per message: Redis round trips (socket writes of the function's connection) in all and before the
 * first push, Postgres queries issued by anything in this process, pushes; and the CPU the handler spends.
 */
export async function benchSendMessage(
  services: BenchServices,
  options: { messages: number; warmup: number; trafficUnits: number },
): Promise<FigureResult> {
  const stub = await startStubApi();
  const vars = {
    ...services.vars,
    WS_MANAGEMENT_ENDPOINT: stub.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    WS_FRAME_LIMIT: HUGE_LIMIT,
  };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
  });
  const http = await createDeps(loadEnv(vars));
  const fn = createRealtimeDeps(loadRealtimeEnv(vars), 'ws-message');
  const originalQuery = pg.Client.prototype.query;
  try {
    const [alice, bob] = await provisionChatUsers(http.deps, 2);
    if (!alice || !bob) throw new Error('no users');
    const ttl = fn.deps.realtime.connectionTtlSeconds;
    const senderSocket = `bench-${randomUUID()}`;
    await fn.deps.connections.add(
      { connectionId: senderSocket, userId: alice.id, sessionId: alice.sessionId },
      ttl,
    );
    await fn.deps.connections.add(
      { connectionId: `bench-${randomUUID()}`, userId: bob.id, sessionId: bob.sessionId },
      ttl,
    );

    if (!(fn.redis instanceof Redis)) throw new Error('standalone Redis expected');
    const socket = fn.redis.stream;
    const originalWrite = socket.write;
    let writes = 0;
    let queries = 0;
    let pushes = 0;
    let writesAtFirstPush: number | undefined;
    socket.write = ((...args: unknown[]) => {
      writes += 1;
      return Reflect.apply(originalWrite, socket, args) as boolean;
    }) as typeof socket.write;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      queries += 1;
      return Reflect.apply(originalQuery, this, args);
    } as typeof originalQuery;
    const counted: RealtimeDeps = {
      ...fn.deps,
      push: {
        post: (connectionId, frame) => {
          pushes += 1;
          writesAtFirstPush ??= writes;
          return fn.deps.push.post(connectionId, frame);
        },
        disconnect: (connectionId) => fn.deps.push.disconnect(connectionId),
      },
    };
    const failures: unknown[] = [];
    const frame = (n: string) =>
      JSON.stringify({ action: 'sendMessage', to: bob.id, body: MESSAGE_BODY, clientMsgId: `m-${n}` });
    const send = async (n: string): Promise<PerMessage> => {
      [writes, queries, pushes, writesAtFirstPush] = [0, 0, 0, undefined];
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await handleFrame(counted, senderSocket, frame(n), (message, details) =>
        failures.push({ message, details }),
      );
      const wallMs = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      return {
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        redisRoundTrips: writes,
        roundTripsBeforeFirstPush: writesAtFirstPush ?? Number.NaN,
        postgresQueries: queries,
        pushes,
      };
    };
    const results: PerMessage[] = [];
    try {
      for (let i = -options.warmup; i < options.messages; i++) {
        const result = await send(`${i}`);
        if (i >= 0) results.push(result);
      }
    } finally {
      socket.write = originalWrite;
      pg.Client.prototype.query = originalQuery;
    }
    if (failures.length > 0) throw new Error(`handler failures: ${JSON.stringify(failures[0])}`);
    const traffic = await measureRedisTraffic(
      fn.redis,
      services.env.REDIS_URL,
      options.trafficUnits,
      async () => {
        for (let i = 0; i < options.trafficUnits; i++)
          await handleFrame(counted, senderSocket, frame(`t${i}`), () => {});
      },
    );

    const per = (pick: (r: PerMessage) => number) => results.map(pick);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const max = (values: number[]) => Math.max(...values);
    const wall = summarize(per((r) => r.wallMs));
    const cpu = summarize(per((r) => r.cpuMs));
    const beforePush = per((r) => r.roundTripsBeforeFirstPush);
    const postgres = per((r) => r.postgresQueries);
    const n = results.length;
    const rows: Row[] = [
      {
        figure: FIGURE,
        measurement: `Postgres queries per message (n=${n})`,
        value: mean(postgres).toFixed(2),
        reference: `max ${max(postgres)}; any pg client in this process counted`,
        ratio: '—',
        target: '= 0',
        status: check(max(postgres) === 0),
      },
      {
        figure: FIGURE,
        measurement: 'Redis round trips before the first push',
        value: mean(beforePush).toFixed(2),
        reference: `max ${max(beforePush)}; socket writes of the function's connection`,
        ratio: '—',
        target: '≤ 2',
        status: check(max(beforePush) <= 2),
      },
      {
        figure: FIGURE,
        measurement: 'Redis round trips per message, in all',
        value: mean(per((r) => r.redisRoundTrips)).toFixed(2),
        reference: `MONITOR: ${traffic.serverCommandsPerUnit.toFixed(2)} commands (${traffic.commandMix})`,
        ratio: '—',
        target: '—',
        status: 'info',
      },
      {
        figure: FIGURE,
        measurement: 'pushes per message (recipient + ack)',
        value: mean(per((r) => r.pushes)).toFixed(2),
        reference: 'one socket each side',
        ratio: '—',
        target: '—',
        status: 'info',
      },
      {
        figure: FIGURE,
        measurement: `CPU per message p50 (n=${n})`,
        value: ms(cpu.p50),
        reference: `wall p50 ${ms(wall.p50)} (p99 ${ms(wall.p99)})`,
        ratio: times(cpu.p50 / wall.p50),
        target: '—',
        status: 'info',
      },
    ];
    return {
      rows,
      raw: { results, traffic, wall, cpu, medianRoundTrips: median(per((r) => r.redisRoundTrips)) },
      notes: [
        'Figure 7 CPU is this process (handler, ioredis, SDK signing and HTTP) per frame; the stub management API ' +
          'runs in a child process.',
      ],
    };
  } finally {
    pg.Client.prototype.query = originalQuery;
    stub.child.kill();
    await fn.close();
    await http.close();
  }
}
