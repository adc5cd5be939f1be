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

/** Every operation the workload causes, from the bench figures where they exist and stated guesses elsewhere. */
export function operationCatalogue(m: MeasuredWork, w: Workload, p: Platform): Catalogue {
  const send = m.sendMessage;
  const sendCpu = send.cpuMs ?? send.wallMs;
  const readCpu = m.authenticatedRead.cpuMs ?? m.authenticatedRead.wallMs;
  const loginCpu = m.login.cpuMs ?? m.login.wallMs;
  const peerPushes = w.recipientSocketsPerMessage;
  const login: Work = {
    cpuMs: loginCpu,
    redisRoundTrips: m.login.redisRoundTrips,
    redisCommands: m.login.redisCommands,
    postgresQueries: p.postgresQueriesPerLogin,
  };
  return {
    sendMessage: operation(
      'wsMessage',
      {
        cpuMs: sendCpu,
        redisRoundTrips: send.redisRoundTrips,
        redisCommands: send.redisCommands,
        // The bench pushes to one recipient socket plus the sender's ack.
        pushes: send.pushes - 1 + peerPushes,
      },
      { redisBytesWritten: p.redisBytesWrittenPerMessage, basis: 'measured: bench figure 7' },
      p,
    ),
    typing: operation(
      'wsMessage',
      { cpuMs: sendCpu / 2, redisRoundTrips: 2, redisCommands: 5, pushes: peerPushes },
      { basis: 'assumed: half a send (authorise, look up the peer, one push)' },
      p,
    ),
    markRead: operation(
      'wsMessage',
      { cpuMs: sendCpu / 2, redisRoundTrips: 3, redisCommands: 6, pushes: peerPushes },
      { redisBytesWritten: 200, basis: 'assumed: half a send (authorise, mark, look up, one push)' },
      p,
    ),
    ping: operation(
      'wsMessage',
      { cpuMs: sendCpu / 4, redisRoundTrips: 1, redisCommands: 3, pushes: 1 },
      { basis: 'assumed: a quarter of a send (authorise: session + 2 limiter scripts, one pong push)' },
      p,
    ),
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
    authenticatedRead: operation(
      'http',
      {
        cpuMs: readCpu,
        redisRoundTrips: m.authenticatedRead.redisRoundTrips + 1,
        redisCommands: m.authenticatedRead.redisCommands + 1,
      },
      { basis: 'measured: bench figure 3 (GET /me), plus one Redis script for contacts or history' },
      p,
    ),
    refresh: operation(
      'http',
      {
        cpuMs: m.refresh.wallMs,
        redisRoundTrips: m.refresh.redisRoundTrips,
        redisCommands: m.refresh.redisCommands,
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
