import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseOptions } from '../../shared/adapters/db/client.js';
import { createLazyPostgres } from '../../shared/adapters/db/lazy-postgres.js';
import { DatabaseFailure } from '../../shared/adapters/db/pg-errors.js';
import { createUserRepository } from '../../shared/adapters/db/user-repository.js';
import type { UserRepository } from '../../shared/domain/auth/ports.js';
import { AppError } from '../../shared/domain/errors.js';

const databaseUrl = (): string => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set (integration globalSetup)');
  return url;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The repository as tests build it, and as the HTTP function does: pg and drizzle loaded on the first call. */
const OPENERS = {
  eager: (options: DatabaseOptions) => {
    const database = createDatabase(options);
    return { users: createUserRepository(database.db), open: async () => database };
  },
  'lazy (HTTP function)': (options: DatabaseOptions) => createLazyPostgres(options),
};

describe.each(Object.entries(OPENERS))('Postgres user repository, %s', (_mode, openRepository) => {
  let opened: ReturnType<typeof openRepository> | undefined;
  let users: UserRepository;
  /** Unique to this run of the suite, so searches never match other suites' rows. */
  const marker = `m${randomBytes(5).toString('hex')}`;
  const createdEmails: string[] = [];

  const create = async (input: { email?: string; displayName?: string } = {}) => {
    const email = input.email ?? `${marker}-${randomUUID()}@example.com`;
    createdEmails.push(email);
    return users.create({
      email,
      passwordHash: '$2b$04$hash',
      displayName: input.displayName ?? `${marker} user`,
    });
  };

  const verifiedAt = async (id: string): Promise<unknown> => {
    if (!opened) throw new Error('not opened');
    const { rows } = await (await opened.open()).pool.query(
      'select email_verified_at from users where id = $1',
      [id],
    );
    return rows[0]?.email_verified_at;
  };

  beforeAll(async () => {
    // Not opened here: the lazy repository's first call in a test is what loads it.
    opened = openRepository({ url: databaseUrl(), connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 });
    users = opened.users;
  });

  afterAll(async () => {
    if (!opened) return;
    const database = await opened.open();
    await database.pool.query('delete from users where email = any($1::text[])', [createdEmails]);
    await database.pool.end();
  });

  it('creates a user and returns its public fields with generated id and timestamp', async () => {
    const before = Date.now();

    const user = await create({ displayName: `${marker} Ada` });

    expect(user.id).toMatch(UUID);
    expect(user.displayName).toBe(`${marker} Ada`);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('rejects a duplicate email with AppError email_taken', async () => {
    const user = await create();

    const failure = await users.create({ email: user.email, passwordHash: 'x', displayName: 'Again' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'email_taken' });
  });

  it('keeps exactly one row when the same email is inserted concurrently', async () => {
    const email = `${marker}-race-${randomUUID()}@example.com`;
    createdEmails.push(email);

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => users.create({ email, passwordHash: 'x', displayName: 'Race' })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'email_taken' });
    }
  });

  it('finds a user by exact email, with the password hash', async () => {
    const user = await create();

    const found = await users.findByEmail(user.email);

    expect(found).toEqual({ ...user, passwordHash: '$2b$04$hash' });
    expect(await users.findByEmail(`missing-${randomUUID()}@example.com`)).toBeNull();
    // Lookups take the canonical form; the repository itself does not fold case.
    expect(await users.findByEmail(user.email.toUpperCase())).toBeNull();
  });

  it('finds a user by id', async () => {
    const user = await create();

    expect(await users.findById(user.id)).toEqual(user);
    expect(await users.findById(randomUUID())).toBeNull();
  });

  it('replaces the password hash of one user only (false for an unknown id)', async () => {
    const [user, other] = [await create(), await create()];

    expect(await users.updatePasswordHash(user.id, '$2b$04$new')).toBe(true);

    expect((await users.findByEmail(user.email))?.passwordHash).toBe('$2b$04$new');
    expect((await users.findByEmail(other.email))?.passwordHash).toBe('$2b$04$hash');
    expect(await users.updatePasswordHash(randomUUID(), 'x')).toBe(false);
  });

  it('marks one user verified, keeping the first verification time (false for an unknown id)', async () => {
    const [user, other] = [await create(), await create()];
    expect(user.emailVerified).toBe(false);

    expect(await users.markEmailVerified(user.id)).toBe(true);
    const first = await verifiedAt(user.id);
    expect(await users.markEmailVerified(user.id)).toBe(true);

    expect(first).toBeInstanceOf(Date);
    expect(await verifiedAt(user.id)).toEqual(first);
    expect((await users.findById(user.id))?.emailVerified).toBe(true);
    expect((await users.findByEmail(user.email))?.emailVerified).toBe(true);
    expect((await users.findById(other.id))?.emailVerified).toBe(false);
    expect(await users.markEmailVerified(randomUUID())).toBe(false);
  });

  it('deletes a user so the email can be registered again (false the second time)', async () => {
    const user = await create();

    expect(await users.delete(user.id)).toBe(true);

    expect(await users.findById(user.id)).toBeNull();
    expect(await users.findByEmail(user.email)).toBeNull();
    expect(await users.delete(user.id)).toBe(false);
    const again = await users.create({ email: user.email, passwordHash: 'x', displayName: 'Again' });
    expect(again.id).not.toBe(user.id);
  });

  describe('search', () => {
    let ada: Awaited<ReturnType<typeof create>>;
    let elodie: Awaited<ReturnType<typeof create>>;
    let hyphen: Awaited<ReturnType<typeof create>>;
    let percent: Awaited<ReturnType<typeof create>>;
    let searcher: Awaited<ReturnType<typeof create>>;
    // A unique word in every name keeps this suite's users apart from other suites' in the shared table.
    const tag = `${marker}q`;
    const byName = (name: string) => ({ name, email: null });

    beforeAll(async () => {
      ada = await create({ displayName: `${tag} Ada Lovelace` });
      elodie = await create({ displayName: `${tag} ÉLODIE Zoë` });
      hyphen = await create({ displayName: `${tag} Jean-Luc` });
      percent = await create({ displayName: `${tag} 100% Bob` });
      searcher = await create({ displayName: `${tag} Searcher` });
    });

    const ids = (list: { id: string }[]) => list.map((user) => user.id).sort();

    it('matches a word prefix of display names, case- and accent-insensitively, excluding the searcher', async () => {
      expect(ids(await users.search(byName(`${tag} love`), 50, searcher.id))).toEqual([ada.id]);
      expect(ids(await users.search(byName(`${tag} elo`), 50, searcher.id))).toEqual([elodie.id]);
      expect(ids(await users.search(byName(`${tag.toUpperCase()} ZOE`), 50, searcher.id))).toEqual([
        elodie.id,
      ]);
      expect(ids(await users.search(byName(`${tag} luc`), 50, searcher.id))).toEqual([hyphen.id]);
      const all = await users.search(byName(tag), 50, searcher.id);
      expect(ids(all)).toEqual(ids([ada, elodie, hyphen, percent]));
    });

    it('does not match the middle of a word', async () => {
      expect(await users.search(byName(`${tag} velace`), 50, searcher.id)).toEqual([]);
      expect(await users.search(byName(marker.slice(2)), 50, searcher.id)).toEqual([]);
    });

    it('matches an email only as the whole canonical address of a verified account, never a part of it', async () => {
      expect(await users.search({ name: ada.email, email: ada.email }, 50, searcher.id)).toEqual([]);
      expect(await users.markEmailVerified(ada.id)).toBe(true);
      const whole = await users.search({ name: ada.email, email: ada.email }, 50, searcher.id);
      expect(ids(whole)).toEqual([ada.id]);
      for (const part of [ada.email.slice(0, -1), ada.email.slice(1), `@${ada.email.split('@')[1]}`]) {
        expect(await users.search({ name: part, email: null }, 50, searcher.id)).toEqual([]);
      }
    });

    it('treats LIKE wildcards and backslashes as punctuation, not patterns', async () => {
      expect(await users.search(byName(`${tag}%Bob`), 50, searcher.id)).toEqual([]);
      expect(await users.search(byName(`${tag}_`), 50, searcher.id)).toHaveLength(4);
      expect(await users.search(byName('%'), 50, searcher.id)).toEqual([]);
      expect(await users.search(byName('\\'), 50, searcher.id)).toEqual([]);
    });

    it('respects the limit and orders by display name', async () => {
      const found = await users.search(byName(tag), 2, searcher.id);

      expect(found).toHaveLength(2);
      const names = found.map((user) => user.displayName);
      expect(names).toEqual([...names].sort());
    });

    it('passes SQL-looking input as data', async () => {
      expect(await users.search(byName(`' OR 1=1 --`), 50, searcher.id)).toEqual([]);
    });
  });

  it('maps an unreachable database to AppError dependency_unavailable', async () => {
    const deadRepository = openRepository({
      url: 'postgres://postgres@127.0.0.1:1/x',
      connectTimeoutMs: 500,
      statementTimeoutMs: 500,
    });
    try {
      const repo = deadRepository.users;
      for (const attempt of [
        () => repo.findByEmail('a@example.com'),
        () => repo.findById(randomUUID()),
        () => repo.create({ email: 'a@example.com', passwordHash: 'x', displayName: 'x' }),
        () => repo.search({ name: 'a', email: null }, 5, randomUUID()),
        () => repo.updatePasswordHash(randomUUID(), 'x'),
        () => repo.delete(randomUUID()),
      ]) {
        const failure = await attempt().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toMatchObject({ code: 'dependency_unavailable' });
      }
    } finally {
      await (await deadRepository.open()).pool.end();
    }
  });

  it('rejects a failing query with a DatabaseFailure naming the SQLSTATE, never the SQL or its values', async () => {
    const probe = `probe-${randomUUID()}`;

    const failure = await users.findById(probe).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(DatabaseFailure);
    expect(failure).toMatchObject({ code: '22P02' });
    const text = `${String(failure)} ${(failure as Error).stack} ${JSON.stringify(failure)}`;
    expect(text).not.toContain(probe);
    expect(text).not.toMatch(/select|users|params|\$1/i);
    expect((failure as Error).cause).toBeUndefined();
  });
});
