import type pg from 'pg';
import type { UserRepository } from '../../domain/auth/ports.js';
import type { Database, DatabaseOptions } from './client.js';

export interface LazyPostgres {
  /** The user repository; its first call loads pg and drizzle and creates the pool. */
  users: UserRepository;
  /** The database and pool, loading them if need be (readiness, tests, tooling). */
  open(): Promise<{ db: Database; pool: pg.Pool }>;
  /** Ends the pool if it was ever opened. */
  end(): Promise<void>;
}

/**
 * Postgres for the HTTP function, loaded on first use: pg and drizzle are about a fifth of its cold import
 * (≈ 23 ms of ≈ 100 ms here, `npx tsx bench/init-breakdown.ts`), and refresh, logout, sessions and every
 * chat route never query Postgres. A failed load is not cached, so the next request tries again.
 */
export function createLazyPostgres(options: DatabaseOptions): LazyPostgres {
  let loaded: Promise<{ db: Database; pool: pg.Pool; users: UserRepository }> | undefined;
  const load = () => {
    loaded ??= Promise.all([import('./client.js'), import('./user-repository.js')]).then(
      ([{ createDatabase }, { createUserRepository }]) => {
        const { db, pool } = createDatabase(options);
        return { db, pool, users: createUserRepository(db) };
      },
      (error: unknown) => {
        loaded = undefined;
        throw error;
      },
    );
    return loaded;
  };
  const users: UserRepository = {
    create: async (input) => (await load()).users.create(input),
    findByEmail: async (email) => (await load()).users.findByEmail(email),
    findById: async (id) => (await load()).users.findById(id),
    findByIds: async (ids) => (await load()).users.findByIds(ids),
    markEmailVerified: async (id) => (await load()).users.markEmailVerified(id),
    updatePasswordHash: async (id, passwordHash) => (await load()).users.updatePasswordHash(id, passwordHash),
    delete: async (id) => (await load()).users.delete(id),
    search: async (query, limit, excludeUserId) => (await load()).users.search(query, limit, excludeUserId),
  };
  return {
    users,
    open: load,
    async end() {
      if (loaded) await (await loaded).pool.end();
    },
  };
}
