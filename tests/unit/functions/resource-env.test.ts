import { describe, expect, it } from 'vitest';
import { type LinkedResources, linkedEnv } from '../../../functions/resource-env.js';
import { loadEnv } from '../../../shared/config/env.js';

const app = { name: 'serverless-auth-chat', stage: 'prod' };
const secret = (value: string) => ({ type: 'sst.sst.Secret' as const, value });

/** What SST links to the HTTP function on AWS (property shapes as in sst-env.d.ts). */
const deployed: LinkedResources = {
  App: app,
  Db: {
    type: 'sst.aws.Postgres',
    host: 'db.proxy-abc.us-east-1.rds.amazonaws.com',
    port: 5432,
    username: 'postgres',
    password: 'p@ss/word',
    database: 'chat',
  },
  Redis: {
    type: 'sst.aws.Redis',
    host: 'clustercfg.redis.abc.use1.cache.amazonaws.com',
    port: 6379,
    username: 'default',
    password: 'token+/=',
  },
  JwtSigningKey: secret('{"kty":"OKP","crv":"Ed25519","kid":"k1"}'),
  JwtPreviousPublicKeys: secret('[]'),
  PasswordPepper: secret('q'.repeat(40)),
  Ws: {
    type: 'sst.aws.ApiGatewayWebSocket',
    url: 'wss://ws123.execute-api.us-east-1.amazonaws.com/$default',
    managementEndpoint: 'https://ws123.execute-api.us-east-1.amazonaws.com/$default',
  },
  Web: { type: 'sst.aws.Router', url: 'https://d111.cloudfront.net' },
  Api: { type: 'sst.aws.ApiGatewayV2', url: 'https://api123.execute-api.us-east-1.amazonaws.com' },
  OriginVerify: { type: 'sst.sst.Linkable', secret: 'v'.repeat(48) },
};

describe('linkedEnv (functions/resource-env.ts)', () => {
  it('leaves the environment alone when no SST links are active (npm start, tests)', () => {
    expect(linkedEnv({})).toEqual({});
  });

  it('maps AWS links to TLS URLs, cluster-mode Redis, the secrets and the site origins', () => {
    expect(linkedEnv(deployed)).toEqual({
      STAGE: 'prod',
      DATABASE_URL:
        'postgres://postgres:p%40ss%2Fword@db.proxy-abc.us-east-1.rds.amazonaws.com:5432/chat?sslmode=verify-full',
      REDIS_URL: 'rediss://default:token%2B%2F%3D@clustercfg.redis.abc.use1.cache.amazonaws.com:6379',
      REDIS_MODE: 'cluster',
      JWT_SIGNING_KEY: '{"kty":"OKP","crv":"Ed25519","kid":"k1"}',
      JWT_PREVIOUS_PUBLIC_KEYS: '[]',
      PASSWORD_PEPPER: 'q'.repeat(40),
      WS_MANAGEMENT_ENDPOINT: 'https://ws123.execute-api.us-east-1.amazonaws.com/$default',
      ALLOWED_ORIGINS: 'https://d111.cloudfront.net,https://api123.execute-api.us-east-1.amazonaws.com',
      ORIGIN_VERIFY_SECRET: 'v'.repeat(48),
    });
  });

  it('produces a configuration loadEnv accepts, with credentials that decode back exactly', () => {
    const env = loadEnv(linkedEnv(deployed));
    expect(new URL(env.DATABASE_URL).password).toBe(encodeURIComponent('p@ss/word'));
    expect(decodeURIComponent(new URL(env.REDIS_URL).password)).toBe('token+/=');
    expect(env.ALLOWED_ORIGINS).toHaveLength(2);
    expect(env.STAGE).toBe('prod');
  });

  it('points `sst dev` at the local docker-compose services without TLS', () => {
    const env = linkedEnv({
      App: app,
      Db: {
        ...(deployed.Db as NonNullable<LinkedResources['Db']>),
        host: 'localhost',
        password: '',
        database: 'chat_dev',
      },
      Redis: { type: 'sst.aws.Redis', host: 'localhost', port: 6379, username: 'default', password: '' },
    });
    expect(env).toEqual({
      STAGE: 'prod',
      DATABASE_URL: 'postgres://postgres:@localhost:5432/chat_dev',
      REDIS_URL: 'redis://localhost:6379',
      REDIS_MODE: 'standalone',
    });
  });

  it('maps only what a function links (a WebSocket handler has no Api link)', () => {
    const { Api: _api, ...wsLinks } = deployed;
    expect(linkedEnv(wsLinks).ALLOWED_ORIGINS).toBe('https://d111.cloudfront.net');
  });
});
