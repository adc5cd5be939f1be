import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../shared/config/env.js';

const REQUIRED = {
  DATABASE_URL: 'postgres://app@127.0.0.1:5432/app',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  JWT_SIGNING_KEY: '{"kty":"OKP"}',
  PASSWORD_PEPPER: 'p'.repeat(32),
};

const errorOf = (source: Record<string, string | undefined>): string => {
  try {
    loadEnv(source);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('loadEnv accepted the configuration');
};

describe('loadEnv', () => {
  it('applies secure production defaults when only the required keys are set', () => {
    const env = loadEnv(REQUIRED);

    expect(env).toMatchObject({
      NODE_ENV: 'production',
      LOG_LEVEL: 'INFO',
      REDIS_MODE: 'standalone',
      REDIS_KEY_PREFIX: '',
      REDIS_COMMAND_TIMEOUT_MS: 500,
      DATABASE_CONNECT_TIMEOUT_MS: 1000,
      DATABASE_STATEMENT_TIMEOUT_MS: 5000,
      JWT_PREVIOUS_PUBLIC_KEYS: '[]',
      JWT_ISSUER: 'serverless-auth-chat',
      BCRYPT_COST: 12,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 30 * 24 * 3600,
      SESSION_ABSOLUTE_TTL_SECONDS: 90 * 24 * 3600,
      REFRESH_GRACE_SECONDS: 10,
      LOGIN_ACCOUNT_IP_LIMIT: 10,
      LOGIN_ACCOUNT_LIMIT: 100,
      LOGIN_IP_LIMIT: 100,
      LOGIN_WINDOW_SECONDS: 900,
      REGISTER_IP_LIMIT: 30,
      REGISTER_WINDOW_SECONDS: 3600,
      COOKIE_SECURE: true,
      ALLOWED_ORIGINS: [],
      MAX_BODY_BYTES: 16 * 1024,
    });
  });

  it('lists every bad key in one error', () => {
    const message = errorOf({
      REDIS_URL: 'not a url',
      PASSWORD_PEPPER: 'short',
      BCRYPT_COST: '3',
      COOKIE_SECURE: 'yes',
      NODE_ENV: 'staging',
    });

    expect(message).toMatch(/^Invalid configuration:/);
    for (const key of [
      'DATABASE_URL',
      'REDIS_URL',
      'JWT_SIGNING_KEY',
      'PASSWORD_PEPPER',
      'BCRYPT_COST',
      'COOKIE_SECURE',
      'NODE_ENV',
    ]) {
      expect(message, key).toContain(`${key}:`);
    }
  });

  it('never echoes the value of a rejected secret', () => {
    const message = errorOf({ ...REQUIRED, PASSWORD_PEPPER: 'hunter2-short-pepper' });

    expect(message).not.toContain('hunter2');
  });

  it('rejects a pepper shorter than 32 characters and accepts exactly 32', () => {
    expect(errorOf({ ...REQUIRED, PASSWORD_PEPPER: 'p'.repeat(31) })).toContain(
      'PASSWORD_PEPPER: PASSWORD_PEPPER must be at least 32 characters',
    );
    expect(loadEnv({ ...REQUIRED, PASSWORD_PEPPER: 'p'.repeat(32) }).PASSWORD_PEPPER).toHaveLength(32);
  });

  it('requires a non-empty signing key', () => {
    expect(errorOf({ ...REQUIRED, JWT_SIGNING_KEY: '' })).toContain('JWT_SIGNING_KEY is required');
  });

  it('parses ALLOWED_ORIGINS as a trimmed CSV without empty entries', () => {
    const env = loadEnv({
      ...REQUIRED,
      ALLOWED_ORIGINS: ' https://app.example.com, ,https://admin.example.com,',
    });

    expect(env.ALLOWED_ORIGINS).toEqual(['https://app.example.com', 'https://admin.example.com']);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('parses COOKIE_SECURE=%s as %s', (raw, expected) => {
    expect(loadEnv({ ...REQUIRED, COOKIE_SECURE: raw }).COOKIE_SECURE).toBe(expected);
  });

  it.each(['yes', 'TRUE', 'on', ''])('rejects COOKIE_SECURE=%j', (raw) => {
    expect(errorOf({ ...REQUIRED, COOKIE_SECURE: raw })).toContain('COOKIE_SECURE:');
  });

  it('coerces numbers and enforces their bounds', () => {
    expect(loadEnv({ ...REQUIRED, BCRYPT_COST: '10', MAX_BODY_BYTES: '2048' })).toMatchObject({
      BCRYPT_COST: 10,
      MAX_BODY_BYTES: 2048,
    });
    expect(errorOf({ ...REQUIRED, BCRYPT_COST: '16' })).toContain('BCRYPT_COST:');
    expect(errorOf({ ...REQUIRED, REFRESH_GRACE_SECONDS: '61' })).toContain('REFRESH_GRACE_SECONDS:');
    expect(errorOf({ ...REQUIRED, ACCESS_TOKEN_TTL_SECONDS: '0' })).toContain('ACCESS_TOKEN_TTL_SECONDS:');
    expect(errorOf({ ...REQUIRED, LOGIN_ACCOUNT_LIMIT: '1.5' })).toContain('LOGIN_ACCOUNT_LIMIT:');
    expect(errorOf({ ...REQUIRED, REDIS_COMMAND_TIMEOUT_MS: 'soon' })).toContain('REDIS_COMMAND_TIMEOUT_MS:');
  });

  it('allows a zero refresh grace window', () => {
    expect(loadEnv({ ...REQUIRED, REFRESH_GRACE_SECONDS: '0' }).REFRESH_GRACE_SECONDS).toBe(0);
  });

  it('accepts cluster mode and rejects unknown Redis modes', () => {
    expect(loadEnv({ ...REQUIRED, REDIS_MODE: 'cluster' }).REDIS_MODE).toBe('cluster');
    expect(errorOf({ ...REQUIRED, REDIS_MODE: 'sentinel' })).toContain('REDIS_MODE:');
  });

  it('ignores unrelated environment variables', () => {
    expect(() => loadEnv({ ...REQUIRED, PATH: '/usr/bin', AWS_REGION: 'eu-west-1' })).not.toThrow();
  });
});
