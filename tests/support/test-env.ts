import { randomUUID } from 'node:crypto';
import { generateSigningKeyJson } from '../../shared/adapters/crypto/generate-signing-key.js';
import { createDeps } from '../../shared/composition/http-deps.js';
import { type Env, loadEnv } from '../../shared/config/env.js';
import type { MailMessage } from '../../shared/domain/mail/ports.js';
import { createApp } from '../../shared/http/create-app.js';

/** A unique Redis key prefix per suite, so parallel suites never see each other's keys. */
export const uniquePrefix = (label: string): string => `test:${label}:${randomUUID().slice(0, 8)}:`;

/**
 * Config for an in-process app against the real services. DATABASE_URL comes from the integration
 * globalSetup (a database created for this run); cheap bcrypt keeps tests fast.
 */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Env> {
  return loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    REDIS_KEY_PREFIX: uniquePrefix('app'),
    JWT_SIGNING_KEY: await generateSigningKeyJson('test-key'),
    PASSWORD_PEPPER: 'test-pepper-test-pepper-test-pepper-0123',
    BCRYPT_COST: '4',
    ...overrides,
  });
}

/** Event bindings as the Lambda adapter passes them, so the app sees a gateway source IP. */
export const fromIp = (sourceIp: string) => ({
  event: { requestContext: { requestId: randomUUID(), http: { sourceIp } } },
});

export async function createTestApp(overrides: Record<string, string> = {}) {
  const env = await testEnv(overrides);
  const built = await createDeps(env);
  // Opened up front (the deployed function loads Postgres on first use) so tests can query and trace it.
  const { db, pool } = await built.postgres.open();
  // Mail is captured in memory (newest last): tests read it here, and nothing tries to reach SES.
  const mail: MailMessage[] = [];
  built.deps.mailer = { send: async (message) => void mail.push(message) };
  return { app: createApp(built.deps), env, ...built, db, pool, mail };
}

export const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const randomEmail = (): string => `user-${randomUUID()}@example.com`;
