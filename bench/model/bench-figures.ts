import { z } from 'zod';
import { median } from '../stats.js';

// The parts of `.data/bench/latest.json` (bench/run.ts) the model reads. Figures are found by their shape, not
// their position, and anything else in the file is dropped, so the committed snapshot is this and no more.
const summary = z.object({ n: z.number(), p50: z.number(), p99: z.number() });
const traffic = z.object({
  units: z.number(),
  roundTripsPerUnit: z.number(),
  serverCommandsPerUnit: z.number(),
  commandMix: z.string(),
});

const loginFigure = z.object({
  wall: z.object({ inProcess: summary, bcrypt: summary }),
  cpu: z.object({ inProcess: summary }),
  traffic,
});
const refreshFigure = z.object({
  wall: z.object({ inProcess: summary, rotateOnly: summary }),
  traffic: z.object({ inProcess: traffic }),
});
const meFigure = z.object({
  wall: z.object({ inProcess: summary, appSession: summary }),
  cpu: z.object({ inProcess: summary }),
  traffic: z.object({ inProcess: traffic }),
});
const initFigure = z.object({ samples: z.record(z.string(), z.array(z.object({ importMs: z.number() }))) });
const sendFigure = z.object({
  medianRoundTrips: z.number(),
  wall: summary,
  cpu: summary,
  traffic,
  results: z.array(
    z.object({ roundTripsBeforeFirstPush: z.number(), postgresQueries: z.number(), pushes: z.number() }),
  ),
});

const FIGURES = {
  login: loginFigure,
  refresh: refreshFigure,
  me: meFigure,
  init: initFigure,
  send: sendFigure,
} as const;

const benchFile = z.object({
  startedAt: z.string(),
  quick: z.boolean(),
  node: z.string(),
  cpus: z.number(),
  loadavg: z.object({ before: z.array(z.number()), after: z.array(z.number()) }),
  figures: z.array(z.unknown()),
});

type Figures = { [K in keyof typeof FIGURES]: z.infer<(typeof FIGURES)[K]> };
export type BenchFigures = Omit<z.infer<typeof benchFile>, 'figures'> & { figures: Figures };

/** Reads a bench result (the whole latest.json, or a snapshot of it); fails naming the figure it lacks. */
export function parseBenchFigures(json: unknown): BenchFigures {
  const { figures, ...run } = benchFile.parse(json);
  const pick = <K extends keyof typeof FIGURES>(name: K): Figures[K] => {
    for (const figure of figures) {
      const parsed = FIGURES[name].safeParse(figure);
      if (parsed.success) return parsed.data as Figures[K];
    }
    throw new Error(`bench result has no "${name}" figure (bench/run.ts changed its output?)`);
  };
  return {
    ...run,
    figures: {
      login: pick('login'),
      refresh: pick('refresh'),
      me: pick('me'),
      init: pick('init'),
      send: pick('send'),
    },
  };
}

/** The same in latest.json's shape, holding only what the model reads: the committed snapshot. */
export function snapshotOf(bench: BenchFigures): unknown {
  const { login, refresh, me, init, send } = bench.figures;
  return { ...bench, figures: [login, refresh, me, init, send] };
}

/** One operation's measured work per call: milliseconds on one core, and what it asked of Redis. */
interface OperationMeasure {
  wallMs: number;
  /** CPU of the handler's process; `undefined` where the bench records wall time only. */
  cpuMs?: number;
  redisRoundTrips: number;
  redisCommands: number;
}

export interface MeasuredWork {
  run: {
    startedAt: string;
    quick: boolean;
    node: string;
    cpus: number;
    loadBefore: number;
    loadAfter: number;
    /** One bcrypt cost-12 compare on this machine: how fast its core is next to a Lambda vCPU. */
    bcryptCompareMs: number;
  };
  login: OperationMeasure;
  refresh: OperationMeasure;
  /** `GET /me` on a warm instance: the model's stand-in for every small authenticated read. */
  authenticatedRead: OperationMeasure;
  sendMessage: OperationMeasure & { pushes: number; postgresQueries: number };
  /** Cold module import of each deployed (split) bundle, p50. */
  coldImportMs: { http: number; wsConnect: number; wsMessage: number; wsDisconnect: number };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** The per-operation figures the cost model multiplies. */
export function measuredWork(bench: BenchFigures): MeasuredWork {
  const { login, refresh, me, init, send } = bench.figures;
  const importP50 = (key: string): number => {
    const samples = init.samples[key];
    if (!samples?.length) throw new Error(`bench result has no cold-import samples for ${key}`);
    return median(samples.map((sample) => sample.importMs));
  };
  return {
    run: {
      startedAt: bench.startedAt,
      quick: bench.quick,
      node: bench.node,
      cpus: bench.cpus,
      loadBefore: bench.loadavg.before[0] ?? Number.NaN,
      loadAfter: bench.loadavg.after[0] ?? Number.NaN,
      bcryptCompareMs: login.wall.bcrypt.p50,
    },
    login: {
      wallMs: login.wall.inProcess.p50,
      cpuMs: login.cpu.inProcess.p50,
      redisRoundTrips: login.traffic.roundTripsPerUnit,
      redisCommands: login.traffic.serverCommandsPerUnit,
    },
    refresh: {
      wallMs: refresh.wall.inProcess.p50,
      redisRoundTrips: refresh.traffic.inProcess.roundTripsPerUnit,
      redisCommands: refresh.traffic.inProcess.serverCommandsPerUnit,
    },
    authenticatedRead: {
      wallMs: me.wall.inProcess.p50,
      cpuMs: me.cpu.inProcess.p50,
      redisRoundTrips: me.traffic.inProcess.roundTripsPerUnit,
      redisCommands: me.traffic.inProcess.serverCommandsPerUnit,
    },
    sendMessage: {
      wallMs: send.wall.p50,
      cpuMs: send.cpu.p50,
      redisRoundTrips: send.medianRoundTrips,
      redisCommands: send.traffic.serverCommandsPerUnit,
      pushes: mean(send.results.map((result) => result.pushes)),
      postgresQueries: mean(send.results.map((result) => result.postgresQueries)),
    },
    coldImportMs: {
      http: importP50('http/split'),
      wsConnect: importP50('ws-connect/split'),
      wsMessage: importP50('ws-message/split'),
      wsDisconnect: importP50('ws-disconnect/split'),
    },
  };
}
