import { createHash } from 'node:crypto';
import { ReplyError } from 'ioredis';
import { dependencyUnavailable } from '../../domain/errors.js';
import type { RedisClient } from './client.js';

/**
 * A Lua script sent by SHA (one round trip), loaded on first NOSCRIPT. Not ioredis' `defineCommand`: with
 * auto-pipelining it fails here (a command defined while a pipeline is pending is missing from it, "pipeline[name]
 * is not a function"; on a cluster a dynamic key count puts keys of several slots in one pipeline).
 */
export interface LuaScript {
  source: string;
  sha: string;
}

export const defineScript = (source: string): LuaScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

/** Anything but a reply from Redis itself (refused, timed out, offline) means "unavailable": fail closed. */
export function translateRedisFailure(error: unknown): never {
  if (
    error instanceof ReplyError &&
    !/CLUSTERDOWN|LOADING|TRYAGAIN|MASTERDOWN/.test((error as Error).message)
  )
    throw error;
  throw dependencyUnavailable('Redis', error);
}

export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof ReplyError && (error as Error).message.startsWith('NOSCRIPT')) {
      return redis.eval(script.source, keys.length, ...keys, ...args).catch(translateRedisFailure);
    }
    return translateRedisFailure(error);
  }
}

/** A plain command whose connection failures surface as dependency_unavailable (fail closed). */
export const orUnavailable = <T>(promise: Promise<T>): Promise<T> => promise.catch(translateRedisFailure);
