import { execFile } from 'node:child_process';

/**
 * `npm run test:localstack` exit status when a prerequisite is missing and nothing ran: EX_CONFIG from
 * sysexits.h, distinct from 0 (passed) and 1 (failed), so CI can tell "skipped" from both.
 */
export const SKIPPED_EXIT_CODE = 78;

export interface CommandResult {
  ok: boolean;
  /** First line of what the command said when it failed (or why it could not run). */
  detail: string;
}

/** Runs a command with a deadline and reports whether it succeeded. */
export type RunCommand = (command: string, args: string[]) => Promise<CommandResult>;

const runCommand: RunCommand = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true, detail: '' });
      const code = (error as NodeJS.ErrnoException).code;
      const said = String(stderr).trim().split('\n')[0] || error.message.split('\n')[0] || '';
      resolve({ ok: false, detail: code === 'ENOENT' ? `${command}: not found on PATH` : said });
    });
  });

/** Every missing prerequisite, each saying exactly what is missing; empty when LocalStack can run here. */
export async function missingPrerequisites(
  env: Record<string, string | undefined>,
  run: RunCommand = runCommand,
): Promise<string[]> {
  const missing: string[] = [];
  const engine = await run('docker', ['info', '--format', '{{.ServerVersion}}']);
  if (!engine.ok) missing.push(`no Docker engine: \`docker info\` failed (${engine.detail})`);
  else {
    const compose = await run('docker', ['compose', 'version']);
    if (!compose.ok)
      missing.push(`no Docker Compose v2: \`docker compose version\` failed (${compose.detail})`);
  }
  if (!env.LOCALSTACK_AUTH_TOKEN?.trim()) {
    missing.push(
      'LOCALSTACK_AUTH_TOKEN is not set (the LocalStack image needs an account token since 2026-03-23, and ' +
        'API Gateway v2 needs the Base plan or higher)',
    );
  }
  return missing;
}

/** The message `npm run test:localstack` prints before exiting with SKIPPED_EXIT_CODE. */
export const skipMessage = (missing: readonly string[]): string =>
  [
    `test:localstack SKIPPED (exit ${SKIPPED_EXIT_CODE}): nothing was deployed or tested, because:`,
    ...missing.map((reason) => `  - ${reason}`),
  ].join('\n');
