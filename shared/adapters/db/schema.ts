import { type SQL, sql } from 'drizzle-orm';
import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Lowercase, accents stripped (NFKD, then combining marks removed), every run of non-alphanumerics one space,
 * trimmed. Postgres does it both when storing a name and when reading a query, so the two always agree.
 */
export const foldForSearch = (value: SQL): SQL =>
  sql`btrim(regexp_replace(regexp_replace(normalize(lower(${value}), NFKD), '[\\u0300-\\u036f]+', '', 'g'), '[^[:alnum:]]+', ' ', 'g'))`;

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // Canonical form (trimmed, NFC, lowercase); the unique index is what settles registration races.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    // ' ' + the display name folded for search (see foldForSearch), so "a word starts with q" is LIKE '% q%'.
    searchName: text('search_name')
      .notNull()
      .generatedAlwaysAs(sql`' ' || ${foldForSearch(sql.raw('"display_name"'))}`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    // Set once the owner opened the verification link; null = unverified (never found by email search).
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('users_email_unique').on(table.email)],
);
