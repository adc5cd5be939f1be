/**
 * Runs `npm start` (local/start.ts) as a child process for the e2e suite, the way a developer would, with
 * a throwaway database, a private Redis key prefix and fresh dev keys. Used by tests/e2e/global-setup.ts, and
 * by tests that read what the handlers log (one JSON object per line, as Lambda writes for CloudWatch).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

const POSTGRES_SERVER = process.env.E2E_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const READY_DEADLINE_MS = 60_000;
const SHUTDOWN_DEADLINE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;

export interface LocalSystem {
  apiUrl: string;
  wsUrl: string;
  /** Stops the child, drops the database and deletes the Redis keys; rejects if the child did not stop cleanly. */
  stop(): Promise<void>;
}

export interface LocalSystemOptions {
  /** Gets every line the system writes (stdout and stderr), as it is written. */
  onOutputLine?: (line: string) => void;
}

interface Resources {
  database: string;
  redisPrefix: string;
  dataDir: string;
}

/** Keeps the last few KiB of the child's output for error messages. */
class OutputTail {
  private text = '';

  append(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  }

  toString(): string {
    return this.text.trim() || '(no output)';
  }
}

export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const id = randomBytes(6).toString('hex');
  const resources: Resources = {
    database: `auth_e2e_${id}`,
    redisPrefix: `e2e:${id}:`,
    dataDir: await mkdtemp(join(tmpdir(), 'auth-e2e-')),
  };
  const [port, wsPort] = await freePorts(2);
  if (port === undefined || wsPort === undefined) throw new Error('could not reserve two free ports');

  let child: ChildProcess | undefined;
  try {
    await withAdmin((client) => client.query(`CREATE DATABASE "${resources.database}"`));
    const output = new OutputTail();
    child = spawnStart(resources, port, wsPort, output, options.onOutputLine);
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(apiUrl, child, output);
    const running = child;
    return {
      apiUrl,
      wsUrl: `ws://127.0.0.1:${wsPort}`,
      stop: () => stopAll(running, output, resources),
    };
  } catch (error) {
    if (child) await stopChild(child).catch(() => {});
    await releaseResources(resources);
    throw error;
  }
}

function spawnStart(
  resources: Resources,
  port: number,
  wsPort: number,
  output: OutputTail,
  onLine: ((line: string) => void) | undefined,
): ChildProcess {
  const root = resolve(import.meta.dirname, '../..');
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['local/start.ts'], {
    cwd: root,
    // Own process group, so a crashed test run can still take tsx *and* its node child down (see below).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...userEnvironment(),
      PORT: String(port),
      WS_PORT: String(wsPort),
      DATABASE_URL: `${POSTGRES_SERVER}/${resources.database}`,
      REDIS_URL,
      REDIS_KEY_PREFIX: resources.redisPrefix,
      BCRYPT_COST: '4',
      DATA_DIR: resources.dataDir,
      // All e2e traffic comes from 127.0.0.1, so per-IP limits would otherwise throttle the whole suite.
      LOGIN_IP_LIMIT: '10000',
      REGISTER_IP_LIMIT: '10000',
      PASSWORD_RESET_IP_LIMIT: '10000',
      // The load test sends 100 messages per user in well under a minute; the budget itself is tested in-process.
      MESSAGE_LIMIT: '10000',
      // One process runs every concurrent invocation here, where Lambda gives each its own environment: on a
      // loaded 2-core machine its event loop can stall past the 500 ms default while Redis has long answered.
      // Dead-Redis behaviour is tested in-process (tests/integration/auth-faults.test.ts).
      REDIS_COMMAND_TIMEOUT_MS: '5000',
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => output.append(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.append(chunk));
  if (onLine) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
    }
  }
  // Last resort if the test process exits without running the teardown: SIGTERM makes start.ts shut down.
  const onExit = (): void => {
    if (child.pid !== undefined && !hasExited(child)) signalGroup(child.pid, 'SIGTERM');
  };
  process.on('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));
  return child;
}

/** The caller's environment minus what the test runner itself injected (VITEST_*, NODE_ENV=test, API_URL). */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|NODE_ENV$|API_URL$|WS_URL$)/.test(key)) env[key] = value;
  }
  return env;
}

async function waitForHealth(apiUrl: string, child: ChildProcess, output: OutputTail): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(
        `local/start.ts exited (code ${child.exitCode}, signal ${child.signalCode}) before /health answered:\n${output}`,
      );
    }
    const status = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`GET ${apiUrl}/health did not answer 200 within ${READY_DEADLINE_MS} ms:\n${output}`);
}

async function stopAll(child: ChildProcess, output: OutputTail, resources: Resources): Promise<void> {
  const problem = await stopChild(child);
  await releaseResources(resources);
  if (problem) throw new Error(`${problem}\n${output}`);
}

/** SIGINT (what Ctrl-C sends), then waits; returns a description of anything short of a clean exit. */
async function stopChild(child: ChildProcess): Promise<string | undefined> {
  if (hasExited(child)) return `local/start.ts had already exited (code ${child.exitCode})`;
  const exited = exitOf(child);
  child.kill('SIGINT');
  const result = await Promise.race([exited, sleep(SHUTDOWN_DEADLINE_MS, undefined)]);
  if (result === undefined) {
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    await exited;
    return `local/start.ts did not exit within ${SHUTDOWN_DEADLINE_MS} ms of SIGINT; killed it`;
  }
  if (result.code !== 0) {
    return `local/start.ts exited uncleanly after SIGINT (code ${result.code}, signal ${result.signal})`;
  }
  return undefined;
}

async function releaseResources(resources: Resources): Promise<void> {
  const results = await Promise.allSettled([
    withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${resources.database}" WITH (FORCE)`)),
    deleteRedisKeys(resources.redisPrefix),
    rm(resources.dataDir, { recursive: true, force: true }),
  ]);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) throw new Error(`e2e cleanup failed:\n${failures.join('\n')}`);
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      // The prefix is `e2e:<hex>:`, so it holds no glob metacharacters.
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: `${POSTGRES_SERVER}/postgres`,
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ports the OS hands out, held open together so the two are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolveExit) => {
    if (hasExited(child)) resolveExit({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
