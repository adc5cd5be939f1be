import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './net-utils.js';
import type { ResolvedService } from './resolve-postgres.js';

const noop = async () => {};

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function spawnRedisServer(): Promise<ResolvedService | null> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) return null;
  const url = `redis://127.0.0.1:${port}/0`;
  await waitFor(() => answersPing(url), 5000, 'redis-server to start');
  return {
    url,
    description: `redis-server started by npm start on 127.0.0.1:${port} (in-memory)`,
    stop: async () => void child.kill('SIGTERM'),
  };
}

/** REDIS_URL, else 127.0.0.1:6379, else a redis-server from PATH on a free port, else one clear error. */
export async function resolveRedis(env: NodeJS.ProcessEnv): Promise<ResolvedService> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, description: 'REDIS_URL', stop: noop };
  const local = 'redis://127.0.0.1:6379/0';
  if (await answersPing(local))
    return { url: local, description: 'local Redis on 127.0.0.1:6379', stop: noop };
  const spawned = await spawnRedisServer();
  if (spawned) return spawned;
  throw new Error(
    'No Redis found: set REDIS_URL, start Redis on 127.0.0.1:6379 (e.g. `docker compose up -d redis`), ' +
      'or install redis-server (`apt-get install redis-server` / `brew install redis`) so npm start can run one.',
  );
}
