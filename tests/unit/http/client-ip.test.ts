import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../shared/config/env.js';
import {
  clientIp,
  isVerifiedOrigin,
  ORIGIN_VERIFY_HEADER,
  parseViewerAddress,
  VIEWER_ADDRESS_HEADER,
} from '../../../shared/http/client-ip.js';

const SECRET = 'origin-verify-secret-0123456789abcdef';
const GATEWAY_IP = '130.176.1.1';

describe('parseViewerAddress', () => {
  it.each([
    ['198.51.100.10', '198.51.100.10'],
    ['198.51.100.10:46532', '198.51.100.10'],
    [' 198.51.100.10:443 ', '198.51.100.10'],
    ['2001:db8::7', '2001:db8::7'],
    ['[2001:db8::7]:46532', '2001:db8::7'],
    ['[2001:db8::7]', '2001:db8::7'],
    ['::ffff:198.51.100.10', '::ffff:198.51.100.10'],
    // CloudFront-Viewer-Address writes IPv6 unbracketed, port last.
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334:46532', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
  ])('reads %j as %j', (value, ip) => {
    expect(parseViewerAddress(value)).toBe(ip);
  });

  it.each([
    undefined,
    '',
    '   ',
    'unknown',
    '198.51.100.10:',
    '198.51.100.10:port',
    '198.51.100.10:123456',
    '999.1.1.1:80',
    '[198.51.100.10]:80',
    '[2001:db8::7',
    '[2001:db8::7]:',
    '[2001:db8::7]x',
    '198.51.100.10, 203.0.113.9',
    'example.com:443',
  ])('rejects %j', (value) => {
    expect(parseViewerAddress(value)).toBeUndefined();
  });
});

describe('isVerifiedOrigin', () => {
  it('accepts exactly the configured secret', () => {
    expect(isVerifiedOrigin(SECRET, SECRET)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a prefix', SECRET.slice(0, -1)],
    ['a longer value', `${SECRET}x`],
    ['a same-length different value', `${SECRET.slice(0, -1)}X`],
    ['a different case', SECRET.toUpperCase()],
  ])('rejects %s', (_label, presented) => {
    expect(isVerifiedOrigin(presented, SECRET)).toBe(false);
  });

  it('trusts nothing while no secret is configured', () => {
    expect(isVerifiedOrigin('', undefined)).toBe(false);
    expect(isVerifiedOrigin('', '')).toBe(false);
    expect(isVerifiedOrigin('anything', undefined)).toBe(false);
  });
});

describe('clientIp', () => {
  const headers =
    (values: Record<string, string>) =>
    (name: string): string | undefined =>
      values[name];
  const viaRouter = (address: string, verify = SECRET) =>
    headers({ [ORIGIN_VERIFY_HEADER]: verify, [VIEWER_ADDRESS_HEADER]: address });

  it('takes the viewer address when the request carries the secret', () => {
    expect(
      clientIp({ sourceIp: GATEWAY_IP, header: viaRouter('203.0.113.9'), originVerifySecret: SECRET }),
    ).toBe('203.0.113.9');
    expect(
      clientIp({ sourceIp: GATEWAY_IP, header: viaRouter('[2001:db8::7]:443'), originVerifySecret: SECRET }),
    ).toBe('2001:db8::7');
  });

  it('falls back to the gateway source IP when the vouched-for address is missing or unparsable', () => {
    for (const header of [
      headers({ [ORIGIN_VERIFY_HEADER]: SECRET }),
      viaRouter('not-an-ip'),
      viaRouter(''),
    ]) {
      expect(clientIp({ sourceIp: GATEWAY_IP, header, originVerifySecret: SECRET })).toBe(GATEWAY_IP);
    }
  });

  it('ignores the viewer address without the right secret', () => {
    for (const header of [
      headers({ [VIEWER_ADDRESS_HEADER]: '203.0.113.9' }),
      viaRouter('203.0.113.9', 'wrong'),
      viaRouter('203.0.113.9', `${SECRET.slice(0, -1)}X`),
      headers({ 'x-forwarded-for': '203.0.113.9', 'cloudfront-viewer-address': '203.0.113.9:1' }),
    ]) {
      expect(clientIp({ sourceIp: GATEWAY_IP, header, originVerifySecret: SECRET })).toBe(GATEWAY_IP);
    }
  });

  it('always uses the gateway source IP when no secret is configured (npm start, direct API callers)', () => {
    expect(
      clientIp({ sourceIp: GATEWAY_IP, header: viaRouter('203.0.113.9', ''), originVerifySecret: undefined }),
    ).toBe(GATEWAY_IP);
  });
});

describe('ORIGIN_VERIFY_SECRET (shared/config/env.ts)', () => {
  const base = {
    DATABASE_URL: 'postgres://localhost/db',
    REDIS_URL: 'redis://localhost:6379',
    JWT_SIGNING_KEY: '{}',
    PASSWORD_PEPPER: 'p'.repeat(32),
  };

  it('is optional', () => {
    expect(loadEnv(base).ORIGIN_VERIFY_SECRET).toBeUndefined();
  });

  it('needs at least 32 characters, and the error does not echo the value', () => {
    expect(loadEnv({ ...base, ORIGIN_VERIFY_SECRET: SECRET }).ORIGIN_VERIFY_SECRET).toBe(SECRET);
    const short = 'short-secret-value';
    expect(() => loadEnv({ ...base, ORIGIN_VERIFY_SECRET: short })).toThrow(/ORIGIN_VERIFY_SECRET/);
    expect(() => loadEnv({ ...base, ORIGIN_VERIFY_SECRET: short })).not.toThrow(new RegExp(short));
  });
});
