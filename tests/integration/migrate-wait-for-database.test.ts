import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForDatabase } from '../../shared/adapters/db/wait-for-database.js';

const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POLICY = { baseMs: 100, capMs: 2_000, budgetMs: 10_000 };

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A clock that only moves when the code under test waits: budgets are checked without real time passing. */
function fakeClock() {
  const clock = { t: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.t += ms;
    },
  };
}

describe('the migrator waits for Postgres before migrating', () => {
  const name = `wait_it_${randomBytes(6).toString('hex')}`;
  afterAll(() => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  it('retries until the database exists, then succeeds on that attempt', async () => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const { clock, now, sleep } = fakeClock();
    const failures: string[] = [];
    const result = await waitForDatabase({
      url: url.toString(),
      connectTimeoutMs: 5_000,
      policy: POLICY,
      now,
      random: () => 0.5,
      // The database appears during the second wait, as a new RDS instance does during a first deploy.
      sleep: async (ms) => {
        await sleep(ms);
        if (clock.waits.length === 2) await admin(`CREATE DATABASE "${name}"`);
      },
      onRetry: (_attempt, _delay, error) => failures.push((error as { code?: string }).code ?? 'none'),
    });
    expect(result).toEqual({ attempts: 3 });
    // 3D000 = invalid_catalog_name: Postgres answered, the database was not there yet.
    expect(failures).toEqual(['3D000', '3D000']);
    expect(clock.waits).toEqual([75, 150]);
  });

  it('gives up with the last error once the budget is spent, never waiting past it', async () => {
    const { clock, now, sleep } = fakeClock();
    // Port 1 on loopback refuses at once: no server, as while the proxy has no registered target.
    const failing = waitForDatabase({
      url: 'postgres://postgres@127.0.0.1:1/none',
      connectTimeoutMs: 1_000,
      policy: POLICY,
      now,
      sleep,
      random: () => 1,
    });
    await expect(failing).rejects.toThrow(
      /^Database not reachable after 9 attempts in \d+ ms: .*ECONNREFUSED/,
    );
    expect(clock.waits).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect(clock.t).toBeLessThanOrEqual(POLICY.budgetMs);
  });
});
