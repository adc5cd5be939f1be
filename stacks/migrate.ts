import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, MIGRATIONS_DIR as MIGRATIONS, sstMemory, sstTimeout } from './function-specs';
import { lambdaDefaults } from './lambda';

/** Content hash of the committed migrations: the deploy-time invocation re-runs when (and only when) it changes. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(MIGRATIONS, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

export interface MigrationDeps {
  vpc: sst.aws.Vpc;
  db: sst.aws.Postgres;
  /** What shared/config/migrate-env.ts reads: the database, and Redis for the user directory it mirrors. */
  link: unknown[];
}

/**
 * functions/migrate.ts, invoked once per deploy that changes the migrations (drizzle skips applied ones, so a
 * re-run is harmless). A failing migration fails the deploy. Under `sst dev` the database is the local one:
 * run `npm run db:migrate` instead.
 */
export function createMigration({ vpc, db, link }: MigrationDeps) {
  const spec = FUNCTIONS.migrate;
  const migrator = new sst.aws.Function('Migrator', {
    handler: spec.handler,
    ...lambdaDefaults(vpc),
    memory: sstMemory(spec),
    timeout: sstTimeout(spec),
    link,
    // shared/adapters/db/migrate.ts resolves `./migrations` next to the bundle (SST writes /var/task/bundle.mjs).
    copyFiles: [...spec.copyFiles],
  });
  if (!$dev) {
    new aws.lambda.Invocation('MigrateOnDeploy', {
      functionName: migrator.name,
      input: JSON.stringify({ reason: 'deploy' }),
      triggers: { migrations: migrationsHash(), database: db.id },
    });
  }
  return migrator;
}
