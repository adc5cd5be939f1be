import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, removeRedisKeys, type TestApp } from '../support/auth-helpers.js';
import { createTestApp, fromIp, jsonPost, randomEmail } from '../support/test-env.js';

// Behind the Router every browser request reaches API Gateway from a CloudFront edge address; the Router's
// viewer-request function adds the viewer's IP and the origin-verify secret (stacks/web-edge.ts).
const SECRET = 'origin-verify-secret-for-tests-0123456789';
const IP_LIMIT = 3;
const REGISTER_LIMIT = 2;

let edgeCounter = 0;
/** A fresh CloudFront edge (gateway source) address per test, so only the bucket under test fills up. */
const freshEdge = (): string => {
  edgeCounter += 1;
  return `130.176.${(edgeCounter >> 8) & 255}.${edgeCounter & 255}`;
};
let viewerCounter = 0;
const freshViewer = (): string => {
  viewerCounter += 1;
  return `198.51.${(viewerCounter >> 8) & 255}.${viewerCounter & 255}`;
};

describe('per-IP login throttling behind CloudFront (ORIGIN_VERIFY_SECRET set)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      ORIGIN_VERIFY_SECRET: SECRET,
      LOGIN_IP_LIMIT: String(IP_LIMIT),
      LOGIN_ACCOUNT_LIMIT: '100000',
      LOGIN_WINDOW_SECONDS: '900',
      REGISTER_IP_LIMIT: String(REGISTER_LIMIT),
    });
  });

  afterAll(async () => {
    if (!t) return;
    await removeRedisKeys(t.env.REDIS_URL, t.env.REDIS_KEY_PREFIX).catch(() => {});
    await t.close();
  });

  /** A failing login (unknown account) from `gatewayIp`, with the headers the Router would add. */
  const login = (gatewayIp: string, headers: Record<string, string> = {}) =>
    t.app.request(
      '/auth/login',
      jsonPost({ email: randomEmail(), password: 'wrong-password-1', transport: 'token' }, headers),
      fromIp(gatewayIp),
    );
  const viaRouter = (viewer: string, verify = SECRET) => ({
    'x-origin-verify': verify,
    'x-viewer-address': viewer,
  });

  it('counts per viewer address, not per edge, when the request carries the secret', async () => {
    const edge = freshEdge();
    const [alice, bob] = [freshViewer(), freshViewer()];
    for (let i = 0; i < IP_LIMIT; i++) {
      await expectProblem(await login(edge, viaRouter(alice)), 401, 'invalid_credentials');
    }
    await expectProblem(await login(edge, viaRouter(alice)), 429, 'rate_limited');
    // Another viewer behind the same edge is unaffected, and so is the edge's own (direct) bucket.
    await expectProblem(await login(edge, viaRouter(bob)), 401, 'invalid_credentials');
    await expectProblem(await login(edge), 401, 'invalid_credentials');
    // The bucket is the viewer's: the same address calling the API directly is already throttled.
    await expectProblem(await login(alice), 429, 'rate_limited');
  });

  it('reads the viewer address in CloudFront formats (IPv6 with a port)', async () => {
    const edge = freshEdge();
    for (let i = 0; i < IP_LIMIT; i++) {
      await expectProblem(await login(edge, viaRouter('[2001:db8::42]:50000')), 401, 'invalid_credentials');
    }
    await expectProblem(await login(edge, viaRouter('2001:db8::42')), 429, 'rate_limited');
  });

  it.each([
    ['no verify header', (viewer: string) => ({ 'x-viewer-address': viewer })],
    ['a wrong secret', (viewer: string) => viaRouter(viewer, 'not-the-secret')],
    ['a same-length wrong secret', (viewer: string) => viaRouter(viewer, `${SECRET.slice(0, -1)}X`)],
    [
      'only client-chosen forwarding headers',
      (viewer: string) => ({ 'x-forwarded-for': viewer, 'cloudfront-viewer-address': `${viewer}:443` }),
    ],
  ])('ignores the viewer address with %s: one bucket per gateway source IP', async (_label, headersFor) => {
    const edge = freshEdge();
    for (let i = 0; i < IP_LIMIT; i++) {
      await expectProblem(await login(edge, headersFor(freshViewer())), 401, 'invalid_credentials');
    }
    // Choosing yet another address does not escape the limit: the key is still the gateway source IP.
    await expectProblem(await login(edge, headersFor(freshViewer())), 429, 'rate_limited');
    // …and the addresses it named were never charged.
    await expectProblem(await login(freshEdge(), viaRouter(freshViewer())), 401, 'invalid_credentials');
  });

  it('falls back to the gateway source IP when the vouched-for address is unparsable', async () => {
    const edge = freshEdge();
    for (let i = 0; i < IP_LIMIT; i++) {
      await expectProblem(await login(edge, viaRouter('garbage')), 401, 'invalid_credentials');
    }
    await expectProblem(await login(edge), 429, 'rate_limited');
  });

  it('counts sign-ups per viewer address as well', async () => {
    const edge = freshEdge();
    const [alice, bob] = [freshViewer(), freshViewer()];
    const register = (headers: Record<string, string>) =>
      t.app.request(
        '/auth/register',
        jsonPost(
          { email: randomEmail(), password: 'correct horse battery staple', displayName: 'V' },
          headers,
        ),
        fromIp(edge),
      );
    for (let i = 0; i < REGISTER_LIMIT; i++) expect((await register(viaRouter(alice))).status).toBe(201);
    await expectProblem(await register(viaRouter(alice)), 429, 'rate_limited');
    expect((await register(viaRouter(bob))).status).toBe(201);
  });
});
