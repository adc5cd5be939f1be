import * as z from 'zod/mini';
import { baseFields, parseEnv, postgresFields } from './fields.js';

/** The migrator's environment: the database, nothing else. */
const MigrateEnvSchema = z.object({ ...baseFields, ...postgresFields });

export type MigrateEnv = z.infer<typeof MigrateEnvSchema>;

export const loadMigrateEnv = (source: Record<string, string | undefined> = process.env): MigrateEnv =>
  parseEnv(MigrateEnvSchema, source);
