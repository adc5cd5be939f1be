import * as z from 'zod/mini';
import { baseFields, parseEnv, postgresFields, redisFields } from './fields.js';

/** The migrator's environment: the database, and Redis for the user directory it mirrors from Postgres. */
const MigrateEnvSchema = z.object({ ...baseFields, ...postgresFields, ...redisFields });

export type MigrateEnv = z.infer<typeof MigrateEnvSchema>;

export const loadMigrateEnv = (source: Record<string, string | undefined> = process.env): MigrateEnv =>
  parseEnv(MigrateEnvSchema, source);
