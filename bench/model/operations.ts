import { FUNCTIONS } from '../../stacks/function-specs.js';
import type { Platform, Workload } from './assumptions.js';
import type { MeasuredWork } from './bench-figures.js';

export type LambdaName = 'http' | 'wsConnect' | 'wsMessage' | 'wsDisconnect';

/** What one operation costs the platform: one Lambda invocation and everything it asks of the rest. */
interface Operation {
  fn: LambdaName;
  /** Billed milliseconds: CPU stretched to the function's memory, plus the waits AWS adds, rounded up. */
  billedMs: number;
  httpRequests: number;
  /** WebSocket messages billed (inbound frame + pushes; every frame here is far below 32 KB). */
  webSocketMessages: number;
  pushes: number;
  redisRoundTrips: number;
  redisCommands: number;
  redisBytesWritten: number;
  postgresQueries: number;
  emails: number;
  /** Where the numbers come from: a bench figure, or what is assumed and why. */
  basis: string;
}

export const OPERATION_NAMES = [
  'sendMessage',
  'typing',
  'markRead',
  'ping',
  'connect',
  'disconnect',
  'authenticatedRead',
  'refresh',
  'login',
  'signUp',
  'passwordReset',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];
export type Catalogue = Record<OperationName, Operation>;

interface Work {
  cpuMs: number;
  redisRoundTrips: number;
  redisCommands: number;
  pushes?: number;
  postgresQueries?: number;
  /** Milliseconds the handler waits without work (the forgot-password floor). */
  floorMs?: number;
}

/** Lambda CPU scales with memory: below one vCPU, CPU-bound time stretches. */
export const cpuStretch = (fn: LambdaName, platform: Platform): number =>
  Math.max(1, platform.oneVcpuMb / FUNCTIONS[fn].memoryMb);

/** Pushes go out in parallel (fan-out), so a frame waits for one push round trip, not one per push. */
export function billedMs(fn: LambdaName, work: Work, platform: Platform): number {
  const waits =
    work.redisRoundTrips * platform.redisRoundTripMs +
    ((work.pushes ?? 0) > 0 ? platform.pushRoundTripMs : 0) +
    (work.postgresQueries ?? 0) * platform.postgresQueryMs;
  return Math.ceil(Math.max(work.cpuMs * cpuStretch(fn, platform) + waits, work.floorMs ?? 0));
}

function operation(fn: LambdaName, work: Work, extra: Partial<Operation> & { basis: string }, p: Platform) {
  const isHttp = fn === 'http';
  const isFrame = fn === 'wsMessage';
  return {
    fn,
    billedMs: billedMs(fn, work, p),
    httpRequests: isHttp ? 1 : 0,
    webSocketMessages: (isFrame ? 1 : 0) + (work.pushes ?? 0),
    pushes: work.pushes ?? 0,
    redisRoundTrips: work.redisRoundTrips,
    redisCommands: work.redisCommands,
    redisBytesWritten: 0,
    postgresQueries: work.postgresQueries ?? 0,
    emails: 0,
    ...extra,
  } satisfies Operation;
}

type Group<K extends OperationName> = Record<K, Operation>;

/** `$default` frames: the measured send, and the frames that do a part of its work. */
function frames(
  m: MeasuredWork,
  w: Workload,
  p: Platform,
): Group<'sendMessage' | 'typing' | 'markRead' | 'ping'> {
  const send = m.sendMessage;
  const cpuMs = send.cpuMs ?? send.wallMs;
  const pushes = w.recipientSocketsPerMessage;
  const measured = { redisBytesWritten: p.redisBytesWrittenPerMessage, basis: 'measured: bench figure 7' };
  return {
    // The bench pushes to one recipient socket plus the sender's ack.
    sendMessage: operation(
      'wsMessage',
      {
        cpuMs,
        redisRoundTrips: send.redisRoundTrips,
        redisCommands: send.redisCommands,
        pushes: send.pushes - 1 + pushes,
      },
      measured,
      p,
    ),
    typing: operation(
      'wsMessage',
      { cpuMs: cpuMs / 2, redisRoundTrips: 2, redisCommands: 5, pushes },
      { basis: 'assumed: half a send (authorise, look up the peer, one push)' },
      p,
    ),
    markRead: operation(
      'wsMessage',
      { cpuMs: cpuMs / 2, redisRoundTrips: 3, redisCommands: 6, pushes },
      { redisBytesWritten: 200, basis: 'assumed: half a send (authorise, mark, look up, one push)' },
      p,
    ),
    ping: operation(
      'wsMessage',
      { cpuMs: cpuMs / 4, redisRoundTrips: 1, redisCommands: 3, pushes: 1 },
      { basis: 'assumed: a quarter of a send (authorise: session + 2 limiter scripts, one pong push)' },
      p,
    ),
  };
}

/** `$connect` and `$disconnect`: not benched; sized from the measured authenticated read. */
function lifecycle(m: MeasuredWork, p: Platform): Group<'connect' | 'disconnect'> {
  const readCpu = m.authenticatedRead.cpuMs ?? m.authenticatedRead.wallMs;
  return {
    connect: operation(
      'wsConnect',
      { cpuMs: readCpu * 2, redisRoundTrips: 3, redisCommands: 6, pushes: 1 },
      { redisBytesWritten: 300, basis: 'assumed: two GET /me (ticket verify, record, presence push)' },
      p,
    ),
    disconnect: operation(
      'wsDisconnect',
      { cpuMs: readCpu, redisRoundTrips: 2, redisCommands: 4, pushes: 1 },
      { basis: 'assumed: one GET /me (remove the record, presence push)' },
      p,
    ),
  };
}

/** Reads and auth through the HTTP function. */
function http(
  m: MeasuredWork,
  p: Platform,
): Group<'authenticatedRead' | 'refresh' | 'login' | 'signUp' | 'passwordReset'> {
  const read = m.authenticatedRead;
  const login: Work = {
    cpuMs: m.login.cpuMs ?? m.login.wallMs,
    redisRoundTrips: m.login.redisRoundTrips,
    redisCommands: m.login.redisCommands,
    postgresQueries: p.postgresQueriesPerLogin,
  };
  const { refresh } = m;
  return {
    authenticatedRead: operation(
      'http',
      {
        cpuMs: read.cpuMs ?? read.wallMs,
        redisRoundTrips: read.redisRoundTrips + 1,
        redisCommands: read.redisCommands + 1,
      },
      { basis: 'measured: bench figure 3 (GET /me), plus one Redis script for contacts or history' },
      p,
    ),
    refresh: operation(
      'http',
      {
        cpuMs: refresh.wallMs,
        redisRoundTrips: refresh.redisRoundTrips,
        redisCommands: refresh.redisCommands,
      },
      { redisBytesWritten: 200, basis: 'measured: bench figure 2 (wall time: the bench records no CPU)' },
      p,
    ),
    login: operation('http', login, { redisBytesWritten: 600, basis: 'measured: bench figure 1' }, p),
    signUp: operation(
      'http',
      { ...login, postgresQueries: 2 },
      { emails: 1, redisBytesWritten: 600, basis: 'assumed: a login (one bcrypt hash) + an insert + a mail' },
      p,
    ),
    passwordReset: operation(
      'http',
      { ...login, floorMs: 1000 },
      {
        emails: 1,
        basis: 'assumed: /auth/password/forgot at its 1 s floor and one mail; the reset call not counted',
      },
      p,
    ),
  };
}

/** Every operation the workload causes, from the bench figures where they exist and stated guesses elsewhere. */
export function operationCatalogue(m: MeasuredWork, w: Workload, p: Platform): Catalogue {
  return { ...frames(m, w, p), ...lifecycle(m, p), ...http(m, p) };
}
