import pg from 'pg';
import { type BackoffPolicy, nextRetryDelayMs } from '../../domain/backoff.js';

export interface WaitForDatabaseOptions {
  url: string;
  /** Bound on each attempt's TCP + TLS + startup. */
  connectTimeoutMs: number;
  policy: BackoffPolicy;
  /** Injected in tests; real timers otherwise. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Called before each wait, e.g. to log why. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One attempt: a fresh connection (never a pooled one that might be stale) and a trivial query. */
async function probe(url: string, connectTimeoutMs: number): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: connectTimeoutMs,
  });
  // A connection dropped mid-probe must fail this attempt, not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Waits until Postgres accepts a connection and answers a query, retrying with jittered exponential backoff
 * for at most `policy.budgetMs`. On a first deploy the database (or the RDS Proxy's target registration) can
 * lag the migrator by a minute or two; a fixed single attempt would fail the deploy for nothing.
 */
export async function waitForDatabase(options: WaitForDatabaseOptions): Promise<{ attempts: number }> {
  const { sleep = realSleep, now = Date.now, random = Math.random } = options;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      await probe(options.url, options.connectTimeoutMs);
      return { attempts: attempt + 1 };
    } catch (error) {
      const elapsed = now() - started;
      const delay = nextRetryDelayMs(attempt, elapsed, options.policy, random);
      if (delay === undefined) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Database not reachable after ${attempt + 1} attempts in ${elapsed} ms: ${reason}`, {
          cause: error,
        });
      }
      options.onRetry?.(attempt + 1, delay, error);
      await sleep(delay);
    }
  }
}
