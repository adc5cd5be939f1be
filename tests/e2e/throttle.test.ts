import { describe, expect, it } from 'vitest';
import { randomPassword, registerAccount } from '../support/e2e-accounts.js';
import { call, expectProblem } from '../support/e2e-http.js';

/**
 * Production default of LOGIN_ACCOUNT_IP_LIMIT (failures per account and source IP); the local system keeps
 * it (only per-IP limits are raised). The suite has one source IP, so that is the bucket it fills.
 */
const ACCOUNT_IP_LIMIT = 10;
const LOGIN_WINDOW_SECONDS = 15 * 60;

let spoofCounter = 0;
/** A different, documentation-range address on every request, as an attacker rotating XFF would send. */
const spoofedForwardedFor = (): Record<string, string> => {
  spoofCounter += 1;
  return { 'x-forwarded-for': `198.51.100.${spoofCounter % 250}` };
};

describe('login throttling behind the gateway', () => {
  it('throttles an account from this address after 10 failures despite a rotating X-Forwarded-For, even for the right password', async () => {
    const account = await registerAccount();

    for (let attempt = 1; attempt <= ACCOUNT_IP_LIMIT; attempt++) {
      const res = await call('/auth/login', {
        json: { email: account.email, password: randomPassword() },
        headers: spoofedForwardedFor(),
      });
      await expectProblem(res, 401, 'invalid_credentials');
    }

    const correct = await call('/auth/login', {
      json: { email: account.email, password: account.password, transport: 'token' },
      headers: spoofedForwardedFor(),
    });

    const throttled = await expectProblem(correct, 429, 'rate_limited');
    const retryAfter = Number(correct.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_WINDOW_SECONDS);
    expect(correct.headers.getSetCookie()).toEqual([]);

    // While throttled, right and wrong passwords are indistinguishable: no password oracle.
    const wrong = await call('/auth/login', {
      json: { email: account.email, password: randomPassword(), transport: 'token' },
      headers: spoofedForwardedFor(),
    });
    const wrongProblem = await expectProblem(wrong, 429, 'rate_limited');
    expect({ ...wrongProblem, requestId: '' }).toEqual({ ...throttled, requestId: '' });
  });
});
