import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKeyJson } from '../shared/adapters/crypto/generate-signing-key.js';

async function readOrCreate(path: string, create: () => Promise<string>): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const value = await create();
    await writeFile(path, value, { mode: 0o600 });
    return value;
  }
}

/**
 * Development-only secrets, kept under .data/ (git-ignored) so sessions and passwords survive restarts.
 * Deployed stages get theirs from SST secrets.
 */
export async function ensureDevSecrets(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<{ generated: string[] }> {
  await mkdir(dataDir, { recursive: true });
  const generated: string[] = [];
  if (!env.JWT_SIGNING_KEY) {
    env.JWT_SIGNING_KEY = await readOrCreate(join(dataDir, 'dev-signing-key.json'), () =>
      generateSigningKeyJson(),
    );
    generated.push('JWT_SIGNING_KEY');
  }
  if (!env.PASSWORD_PEPPER) {
    env.PASSWORD_PEPPER = await readOrCreate(join(dataDir, 'dev-pepper'), async () =>
      randomBytes(32).toString('base64url'),
    );
    generated.push('PASSWORD_PEPPER');
  }
  return { generated };
}
