import type { Pool } from 'pg';
import { APPEND_MESSAGE, RECORD_DELIVERY } from '../../shared/adapters/redis/chat-lua.js';
import type { RedisClient } from '../../shared/adapters/redis/client.js';
import { LOOKUP_CONNECTIONS } from '../../shared/adapters/redis/connection-lua.js';
import { APPEND_GROUP_MESSAGE } from '../../shared/adapters/redis/group-lua.js';
import type { PushGateway } from '../../shared/domain/realtime/ports.js';

/** One command as the client wrote it, and how many sequential round trips deep it was. */
export interface TracedCommand {
  name: string;
  round: number;
}

const SCRIPT_NAMES = new Map([
  [APPEND_MESSAGE.sha, 'APPEND_MESSAGE'],
  [RECORD_DELIVERY.sha, 'RECORD_DELIVERY'],
  [LOOKUP_CONNECTIONS.sha, 'LOOKUP_CONNECTIONS'],
  [APPEND_GROUP_MESSAGE.sha, 'APPEND_GROUP_MESSAGE'],
]);

interface IoredisCommand {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

const labelOf = (command: IoredisCommand): string => {
  if (command.name !== 'evalsha') return command.name;
  return `evalsha:${SCRIPT_NAMES.get(String(command.args[0])) ?? 'other'}`;
};

/**
 * Traces a real ioredis client, a pg pool and a push gateway during one operation. A command's round is one
 * more than the deepest round any reply had arrived from when the client wrote it: commands written before
 * any reply share round 1 (one pipeline, or parallel writes — either way one wait), and a command issued
 * after a reply is assumed to depend on it, so the count never flatters. Written at the moment ioredis puts
 * the command on the wire (`sendCommand`, which auto-pipelined batches also go through).
 */
export function traceRoundTrips(redis: RedisClient, pool: Pool, push: PushGateway) {
  let deepestReply = 0;
  let commands: TracedCommand[] = [];
  let postgresQueries = 0;
  let firstPush: { round: number; connectionId: string; commandsBefore: TracedCommand[] } | undefined;

  const client = redis as unknown as {
    sendCommand(command: IoredisCommand, ...rest: unknown[]): unknown;
  };
  const sendCommand = client.sendCommand;
  client.sendCommand = function traced(command, ...rest) {
    const round = deepestReply + 1;
    commands.push({ name: labelOf(command), round });
    const replied = () => {
      deepestReply = Math.max(deepestReply, round);
    };
    command.promise.then(replied, replied);
    return sendCommand.call(this, command, ...rest);
  };

  const counted = pool as unknown as {
    query: (...args: unknown[]) => unknown;
    connect: (...args: unknown[]) => unknown;
  };
  const { query, connect } = counted;
  // pool.query checks a client out through pool.connect itself; count that as the one query it is.
  let insideQuery = false;
  counted.query = function tracedQuery(...args) {
    postgresQueries += 1;
    insideQuery = true;
    try {
      return query.apply(this, args);
    } finally {
      insideQuery = false;
    }
  };
  counted.connect = function tracedConnect(...args) {
    if (!insideQuery) postgresQueries += 1;
    return connect.apply(this, args);
  };

  const post = push.post;
  push.post = (connectionId, frame) => {
    firstPush ??= { round: deepestReply, connectionId, commandsBefore: [...commands] };
    return post.call(push, connectionId, frame);
  };

  return {
    /** Starts a fresh measurement. */
    reset(): void {
      deepestReply = 0;
      commands = [];
      postgresQueries = 0;
      firstPush = undefined;
    },
    get commands(): TracedCommand[] {
      return commands;
    },
    get postgresQueries(): number {
      return postgresQueries;
    },
    /** Sequential Redis round trips the operation waited for before its first push, and what went out. */
    beforeFirstPush(): { roundTrips: number; byRound: string[][]; connectionId: string } {
      if (!firstPush) throw new Error('nothing was pushed');
      // Rounds whose replies had arrived when the push went out: what it (conservatively) waited for.
      const roundTrips = firstPush.round;
      const byRound = Array.from({ length: roundTrips }, (_, index) =>
        firstPush?.commandsBefore
          .filter((command) => command.round === index + 1)
          .map((command) => command.name)
          .sort(),
      ).map((names) => names ?? []);
      return { roundTrips, byRound, connectionId: firstPush.connectionId };
    },
    restore(): void {
      client.sendCommand = sendCommand;
      counted.query = query;
      counted.connect = connect;
      push.post = post;
    },
  };
}
