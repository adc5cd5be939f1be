import { and, eq, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import type { User, UserRepository, UserWithPasswordHash } from '../../domain/auth/ports.js';
import { AppError } from '../../domain/errors.js';
import type { Database } from './client.js';
import { isUniqueViolation, translateDbFailure } from './pg-errors.js';
import { foldForSearch, users } from './schema.js';

const publicColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  createdAt: users.createdAt,
  emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`.mapWith(Boolean),
};

/** Users in Postgres via drizzle; the login lookup is a prepared statement (hot path). */
export function createUserRepository(db: Database): UserRepository {
  const byEmail = db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .limit(1)
    .prepare('users_by_email');
  const byId = db
    .select(publicColumns)
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .limit(1)
    .prepare('users_by_id');

  return {
    async create(input): Promise<User> {
      try {
        const [row] = await db.insert(users).values(input).returning(publicColumns);
        if (!row) throw new Error('insert returned no row');
        return row;
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('email_taken', 'An account with this email already exists');
        return translateDbFailure(error);
      }
    },
    async findByEmail(email): Promise<UserWithPasswordHash | null> {
      const rows = await byEmail.execute({ email }).catch(translateDbFailure);
      return rows[0] ?? null;
    },
    async findById(id): Promise<User | null> {
      const rows = await byId.execute({ id }).catch(translateDbFailure);
      return rows[0] ?? null;
    },
    async findByIds(ids): Promise<User[]> {
      if (ids.length === 0) return [];
      return db.select(publicColumns).from(users).where(inArray(users.id, ids)).catch(translateDbFailure);
    },
    async markEmailVerified(id): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
        .where(eq(users.id, id))
        .returning({ id: users.id })
        .catch(translateDbFailure);
      return rows.length > 0;
    },
    async updatePasswordHash(id, passwordHash): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ passwordHash, updatedAt: sql`now()` })
        .where(eq(users.id, id))
        .returning({ id: users.id })
        .catch(translateDbFailure);
      return rows.length > 0;
    },
    async delete(id): Promise<boolean> {
      const rows = await db
        .delete(users)
        .where(eq(users.id, id))
        .returning({ id: users.id })
        .catch(translateDbFailure);
      return rows.length > 0;
    },
    async search(query, limit, excludeUserId): Promise<User[]> {
      // Every word of the query must start a word of the name ("love ada" finds "Ada Lovelace").
      const words = query.name.split(/\s+/u).filter(Boolean).slice(0, 8);
      const wordMatches = words.map((word) => {
        const folded = foldForSearch(sql`${word}`);
        return sql`(${folded} <> '' and ${users.searchName} like '% ' || ${folded} || '%')`;
      });
      const byName = wordMatches.length > 0 ? and(...wordMatches) : sql`false`;
      // Only a verified address is findable: anyone can register someone else's email, and an unverified
      // account must not be offered to people who search for that address.
      const byEmail = query.email
        ? and(eq(users.email, query.email), isNotNull(users.emailVerifiedAt))
        : null;
      return db
        .select(publicColumns)
        .from(users)
        .where(and(ne(users.id, excludeUserId), byEmail ? or(byEmail, byName) : byName))
        .orderBy(users.displayName)
        .limit(limit)
        .catch(translateDbFailure);
    },
  };
}
