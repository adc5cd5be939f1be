import { describe, expect, it } from 'vitest';
import { csrfGuard } from '../../../shared/http/middleware/csrf-guard.js';
import { problemOf, tinyApp } from './tiny-app.js';

const ALLOWED = ['https://app.example.com'];
const HOST = 'api.example.com';

const app = tinyApp((a) => {
  a.use(csrfGuard(ALLOWED));
  a.on(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'], '/thing', (c) => c.text('ok'));
});

type Headers = { 'sec-fetch-site'?: string; origin?: string };

describe('csrfGuard', () => {
  it.each<[string, string, Headers, 'pass' | 'reject']>([
    ['same-origin fetch metadata', 'POST', { 'sec-fetch-site': 'same-origin' }, 'pass'],
    ['user-initiated navigation (none)', 'POST', { 'sec-fetch-site': 'none' }, 'pass'],
    [
      'an allowlisted origin (cross-site SPA)',
      'POST',
      { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' },
      'pass',
    ],
    ['an allowlisted origin without fetch metadata', 'POST', { origin: 'https://app.example.com' }, 'pass'],
    ['an origin on the same host', 'POST', { origin: `https://${HOST}` }, 'pass'],
    ['no Origin and no fetch metadata (not a browser)', 'POST', {}, 'pass'],
    ['Origin: null (sandboxed or privacy-redirected)', 'POST', { origin: 'null' }, 'reject'],
    [
      'Origin: null with cross-site metadata',
      'POST',
      { 'sec-fetch-site': 'cross-site', origin: 'null' },
      'reject',
    ],
    ['cross-site fetch metadata', 'POST', { 'sec-fetch-site': 'cross-site' }, 'reject'],
    ['same-site fetch metadata (a sibling subdomain)', 'POST', { 'sec-fetch-site': 'same-site' }, 'reject'],
    [
      'same-site metadata with a sibling origin',
      'POST',
      { 'sec-fetch-site': 'same-site', origin: 'https://evil.example.com' },
      'reject',
    ],
    ['a foreign Origin without fetch metadata', 'POST', { origin: 'https://evil.test' }, 'reject'],
    [
      'an origin that only starts with an allowlisted one',
      'POST',
      { origin: 'https://app.example.com.evil.test' },
      'reject',
    ],
    ['the same host on another port', 'POST', { origin: `https://${HOST}:8443` }, 'reject'],
    ['an unparsable Origin', 'POST', { origin: 'not a url' }, 'reject'],
    ['a cross-site DELETE', 'DELETE', { 'sec-fetch-site': 'cross-site' }, 'reject'],
    ['a cross-site PUT', 'PUT', { origin: 'https://evil.test' }, 'reject'],
    ['a cross-site PATCH', 'PATCH', { origin: 'https://evil.test' }, 'reject'],
    [
      'a cross-site GET (safe method)',
      'GET',
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' },
      'pass',
    ],
    ['a cross-site HEAD (safe method)', 'HEAD', { 'sec-fetch-site': 'cross-site' }, 'pass'],
  ])('%s: %s → %s', async (_label, method, headers, expected) => {
    const res = await app.request('/thing', { method, headers: { host: HOST, ...headers } });

    if (expected === 'pass') {
      expect(res.status).toBe(200);
      return;
    }
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'csrf_rejected' });
  });

  it('does not trust a same-host Origin when the request has no Host header', async () => {
    const res = await app.request('/thing', { method: 'POST', headers: { origin: `https://${HOST}` } });

    expect(res.status).toBe(403);
  });
});
