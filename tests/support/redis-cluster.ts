/**
 * Throwaway three-master Redis Cluster for integration tests.
 *
 * The machine only has a standalone Redis and no Docker, so we run real `redis-server` processes as
 * (non-daemonized) children of the test process: no service management, and they are killed when the
 * test process exits even if a test forgot to call stop().
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster, type ClusterOptions } from 'ioredis';

const execFileAsync = promisify(execFile);

const HOST = '127.0.0.1';
const NODE_COUNT = 3;
/** Redis listens for cluster gossip on client port + 10000, so that port must be free as well. */
const BUS_PORT_OFFSET = 10_000;
const MIN_PORT = 20_000;
const MAX_PORT = 65_535 - BUS_PORT_OFFSET;
const MAX_PORT_PROBES = 1_000;
/** Probing then binding is racy when several test workers start clusters at once; retry on collision. */
const START_ATTEMPTS = 5;
const PING_DEADLINE_MS = 10_000;
const CLUSTER_OK_DEADLINE_MS = 20_000;
const KILL_GRACE_MS = 2_000;
const POLL_INTERVAL_MS = 50;

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface RedisClusterHandle {
  nodes: RedisNodeAddress[];
  /** Stops every node and removes its temp dir. Safe to call more than once. */
  stop(): Promise<void>;
}

interface NodeProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  /** Settles once the process has gone, whether it exited, was killed or never spawned. */
  exited: Promise<void>;
  /** Set when the binary could not be spawned at all (e.g. not on PATH). */
  spawnError?: Error;
}

export async function startRedisCluster(opts: { basePort?: number } = {}): Promise<RedisClusterHandle> {
  const ports = new PortAllocator(opts.basePort ?? randomBasePort());
  const started: NodeProcess[] = [];
  // A worker that exits without reaching stop() (failed hook, process.exit) would orphan the servers.
  // Only a SIGKILLed worker escapes this, as Node runs no handlers then.
  const killOnExit = (): void => {
    for (const node of started) node.child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const stop = async (): Promise<void> => {
    await Promise.all(started.splice(0).map(stopNode));
    process.off('exit', killOnExit);
  };
  try {
    for (let i = 0; i < NODE_COUNT; i++) started.push(await startNode(ports));
    const portList = started.map((node) => node.port);
    await createCluster(portList);
    await waitForClusterOk(portList);
    return { nodes: portList.map((port) => ({ host: HOST, port })), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Cluster client tuned to fail fast in tests instead of retrying for minutes. */
export function createClusterClient(nodes: RedisNodeAddress[], overrides: ClusterOptions = {}): Cluster {
  return new Cluster(nodes, {
    enableReadyCheck: true,
    slotsRefreshTimeout: 2_000,
    clusterRetryStrategy: (times) => (times > 5 ? null : Math.min(times * 100, 1_000)),
    ...overrides,
    redisOptions: { commandTimeout: 2_000, connectTimeout: 2_000, ...overrides.redisOptions },
  });
}

/** A random start spreads parallel workers across the range so they rarely probe the same ports. */
function randomBasePort(): number {
  return MIN_PORT + Math.floor(Math.random() * (MAX_PORT - MIN_PORT));
}

/** Hands out client ports whose bus ports are free too, never reusing one within a cluster. */
class PortAllocator {
  private readonly taken = new Set<number>();
  private next: number;

  constructor(basePort: number) {
    if (!Number.isInteger(basePort) || basePort < 1 || basePort > MAX_PORT) {
      throw new RangeError(
        `basePort must be an integer in 1..${MAX_PORT} (bus port = port + ${BUS_PORT_OFFSET})`,
      );
    }
    this.next = basePort;
  }

  async allocate(): Promise<number> {
    for (let probe = 0; probe < MAX_PORT_PROBES; probe++) {
      const port = this.advance();
      if (this.taken.has(port) || this.taken.has(port + BUS_PORT_OFFSET)) continue;
      if ((await canListen(port)) && (await canListen(port + BUS_PORT_OFFSET))) {
        this.taken.add(port).add(port + BUS_PORT_OFFSET);
        return port;
      }
    }
    throw new Error(
      `No free port pair (port, port+${BUS_PORT_OFFSET}) found after ${MAX_PORT_PROBES} probes`,
    );
  }

  /** Returns the current candidate and moves on, wrapping so a high basePort still finds ports. */
  private advance(): number {
    const port = this.next > MAX_PORT ? MIN_PORT : this.next;
    this.next = port + 1;
    return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function startNode(ports: PortAllocator): Promise<NodeProcess> {
  for (let attempt = 1; ; attempt++) {
    const node = await spawnNode(await ports.allocate());
    try {
      await waitForPing(node);
      return node;
    } catch (err) {
      await stopNode(node);
      const collided = err instanceof Error && /address already in use/i.test(err.message);
      if (!collided || attempt >= START_ATTEMPTS) throw err;
    }
  }
}

async function spawnNode(port: number): Promise<NodeProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const config: Record<string, string> = {
    port: String(port),
    bind: HOST,
    'protected-mode': 'no',
    'cluster-enabled': 'yes',
    'cluster-config-file': join(dir, 'nodes.conf'),
    dir,
    // Empty `save` disables RDB snapshots: test data is disposable.
    save: '',
    appendonly: 'no',
    logfile: join(dir, 'redis.log'),
  };
  const args = Object.entries(config).flatMap(([name, value]) => [`--${name}`, value]);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const node: NodeProcess = { port, dir, child, exited: Promise.resolve() };
  node.exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // ENOENT and friends emit 'error' and possibly no 'exit'.
    child.once('error', (err) => {
      node.spawnError = err;
      resolve();
    });
  });
  return node;
}

async function waitForPing(node: NodeProcess): Promise<void> {
  const deadline = Date.now() + PING_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (hasExited(node.child)) throw new Error(await describeStartupFailure(node));
    if ((await tryNodeCli(node.port, ['ping'])) === 'PONG') return;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`redis-server on port ${node.port} did not answer PING within ${PING_DEADLINE_MS} ms`);
}

async function describeStartupFailure(node: NodeProcess): Promise<string> {
  // A failed spawn reports its error on a later tick; wait so spawnError is filled in.
  await node.exited;
  if (node.spawnError) return `Cannot run redis-server (is it on PATH?): ${node.spawnError.message}`;
  return `redis-server on port ${node.port} exited during startup:\n${await logTail(node)}`;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

async function logTail(node: NodeProcess): Promise<string> {
  const log = await readFile(join(node.dir, 'redis.log'), 'utf8').catch(() => '(no log written)');
  return log.split('\n').slice(-15).join('\n');
}

async function createCluster(ports: number[]): Promise<void> {
  const addresses = ports.map((port) => `${HOST}:${port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
  try {
    await execFileAsync('redis-cli', args, { timeout: CLUSTER_OK_DEADLINE_MS });
  } catch (err) {
    const output = err instanceof Error && 'stdout' in err ? String(err.stdout) : '';
    throw new Error(`redis-cli --cluster create failed: ${String(err)}\n${output}`);
  }
}

async function waitForClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_DEADLINE_MS;
  let states: string[] = [];
  while (Date.now() < deadline) {
    states = await Promise.all(ports.map(clusterState));
    if (states.every((state) => state === 'ok')) return;
    await sleep(POLL_INTERVAL_MS);
  }
  const summary = ports.map((port, i) => `${HOST}:${port}=${states[i] ?? 'unknown'}`).join(', ');
  throw new Error(
    `Redis cluster not ok after ${CLUSTER_OK_DEADLINE_MS / 1000} s (cluster_state: ${summary})`,
  );
}

async function clusterState(port: number): Promise<string> {
  const info = await tryNodeCli(port, ['cluster', 'info']);
  if (info === undefined) return 'unreachable';
  return /^cluster_state:(\w+)/m.exec(info)?.[1] ?? 'unknown';
}

/** Runs a command against one node; undefined means it is not (yet) reachable. */
async function tryNodeCli(port: number, command: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('redis-cli', ['-h', HOST, '-p', String(port), ...command], {
      timeout: 2_000,
    });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function stopNode(node: NodeProcess): Promise<void> {
  if (!hasExited(node.child)) {
    node.child.kill('SIGTERM');
    if (!(await settlesWithin(node.exited, KILL_GRACE_MS))) {
      node.child.kill('SIGKILL');
      await node.exited;
    }
  }
  await rm(node.dir, { recursive: true, force: true });
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
