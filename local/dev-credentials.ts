import { randomBytes } from 'node:crypto';

/** An access key pair the emulator's management API accepts (never a real AWS key). */
export interface DevCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Fresh credentials for one run: shaped like an AWS long-term key (20-character id, 40-character secret),
 * with a `LOCAL` marker in the id so nobody mistakes it for a real one.
 */
export function generateDevCredentials(): DevCredentials {
  const suffix = [...randomBytes(11)].map((byte) => BASE32[byte % 32]).join('');
  return {
    accessKeyId: `AKIALOCAL${suffix}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/**
 * Puts the credentials where the SDK's default chain looks first. AWS_PROFILE would make the chain skip
 * env keys (and sign with the developer's real profile); a session token would be signed along and refused.
 */
export function exportDevCredentials(env: NodeJS.ProcessEnv, credentials: DevCredentials): void {
  env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION']) delete env[name];
}

/** The static key pair in env (what an in-process SDK client with the default chain signs with), if any. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): DevCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}
