import { randomUUID } from 'node:crypto';
import { type Command, Redis } from 'ioredis';
import type { RedisClient } from '../shared/adapters/redis/client.js';
import { startMonitor } from './redis-monitor.js';

/** What N units of work sent to Redis, seen from both ends of the app's own connection. */
export interface RedisTraffic {
  units: number;
  /** Socket writes by the client: each is one network round trip (autopipelining batches a tick into one). */
  roundTripsPerUnit: number;
  /** Commands handed to ioredis (a MULTI/EXEC block counts each command, all in one write). */
  commandsPerUnit: number;
  /** Commands Redis itself logged (MONITOR) from this client's address; Lua-internal calls excluded. */
  serverCommandsPerUnit: number;
  /** Command names with their per-unit counts, e.g. `evalsha×1`. */
  commandMix: string;
}

const MONITOR_TIMEOUT_MS = 5_000;

/**
 * Watches one ioredis connection while `work` runs `units` operations: wraps its `sendCommand` and its
 * socket's `write`, and cross-checks with a MONITOR session filtered to this connection's address (so other
 * clients of the same shared Redis don't pollute the count). Not for timing: MONITOR slows Redis down.
 */
export async function measureRedisTraffic(
  client: RedisClient,
  monitorUrl: string,
  units: number,
  work: () => Promise<void>,
): Promise<RedisTraffic> {
  if (!(client instanceof Redis)) throw new Error('Redis traffic probe supports standalone mode only');
  await client.ping();
  const socket = client.stream;
  const address = `${socket.localAddress}:${socket.localPort}`;

  const startMarker = `bench-start-${randomUUID()}`;
  const endMarker = `bench-end-${randomUUID()}`;
  let counting = false;
  let serverCommands = 0;
  let sawEnd: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    sawEnd = resolve;
  });
  const monitor = await startMonitor(monitorUrl, ({ source, args }) => {
    if (source !== address) return;
    if (args[0]?.toLowerCase() === 'echo' && args[1] === startMarker) counting = true;
    else if (args[0]?.toLowerCase() === 'echo' && args[1] === endMarker) {
      counting = false;
      sawEnd();
    } else if (counting) serverCommands += 1;
  });

  const originalSend = client.sendCommand;
  const originalWrite = socket.write;
  const names = new Map<string, number>();
  let commands = 0;
  let writes = 0;
  try {
    await client.echo(startMarker);
    client.sendCommand = ((command: Command, ...rest: unknown[]) => {
      commands += 1;
      names.set(command.name, (names.get(command.name) ?? 0) + 1);
      return Reflect.apply(originalSend, client, [command, ...rest]);
    }) as typeof client.sendCommand;
    socket.write = ((...args: unknown[]) => {
      writes += 1;
      return Reflect.apply(originalWrite, socket, args) as boolean;
    }) as typeof socket.write;
    try {
      await work();
    } finally {
      client.sendCommand = originalSend;
      socket.write = originalWrite;
    }
    await client.echo(endMarker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      ended,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('MONITOR never saw the end marker')), MONITOR_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    monitor.close();
  }
  const mix = [...names]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name}×${Number((count / units).toFixed(2))}`)
    .join(' ');
  return {
    units,
    roundTripsPerUnit: writes / units,
    commandsPerUnit: commands / units,
    serverCommandsPerUnit: serverCommands / units,
    commandMix: mix,
  };
}
