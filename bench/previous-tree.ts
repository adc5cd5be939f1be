import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** The state issue 9 started from: every function built from shared/create-deps.ts. */
const PREVIOUS_COMMIT = process.env.BENCH_PREVIOUS_COMMIT ?? '03629fe';
const PREVIOUS_DIR = process.env.BENCH_PREVIOUS_DIR ?? '/tmp/bench-prev';

/**
 * A checkout of the previous commit beside this one (`git worktree add`, detached), with this tree's
 * node_modules linked in, so both are bundled from the same installed packages. Reused across runs.
 */
export async function previousTree(): Promise<{ root: string; commit: string }> {
  const { stdout } = await run('git', ['-C', ROOT, 'rev-parse', '--verify', `${PREVIOUS_COMMIT}^{commit}`]);
  const commit = stdout.trim();
  if (existsSync(PREVIOUS_DIR)) {
    const head = (await run('git', ['-C', PREVIOUS_DIR, 'rev-parse', 'HEAD'])).stdout.trim();
    if (head !== commit) {
      throw new Error(
        `${PREVIOUS_DIR} is at ${head}, not ${commit}: remove it (git worktree remove) or set BENCH_PREVIOUS_DIR`,
      );
    }
  } else {
    await run('git', ['-C', ROOT, 'worktree', 'add', '--detach', PREVIOUS_DIR, commit]);
  }
  const modules = join(PREVIOUS_DIR, 'node_modules');
  if (!existsSync(modules)) await symlink(join(ROOT, 'node_modules'), modules, 'dir');
  return { root: PREVIOUS_DIR, commit: commit.slice(0, 7) };
}
