import { describe, expect, it } from 'vitest';
import {
  assertNotRegisterThrottled,
  loginWithTokens,
  randomEmail,
  randomPassword,
  refreshWithToken,
  registerAccount,
  UserEnvelopeSchema,
} from '../support/e2e-accounts.js';
import { bearer, call, expectProblem, readJson, TokenPairSchema } from '../support/e2e-http.js';

const PARALLEL = 20;
/** Twenty bcrypt hashes at production cost share one CPU when the local emulator runs them in-process. */
const RACE_TIMEOUT_MS = 90_000;

const countBy = (values: number[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

describe('concurrency', () => {
  it(`${PARALLEL} parallel refreshes with one token all succeed and yield a single live refresh token`, async () => {
    const account = await registerAccount();
    const start = await loginWithTokens(account);

    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () => refreshWithToken(start.refreshToken)),
    );

    expect(countBy(responses.map((res) => res.status))).toEqual({ 200: PARALLEL });
    const pairs = await Promise.all(responses.map((res) => readJson(res, TokenPairSchema)));
    const refreshTokens = new Set(pairs.map((pair) => pair.refreshToken));
    expect(refreshTokens.size).toBe(1);
    expect(new Set(pairs.map((pair) => pair.accessToken)).size).toBe(1);
    const [winner] = pairs;
    if (!winner) throw new Error('no refresh answered');
    expect(winner.refreshToken).not.toBe(start.refreshToken);

    // The session survived the stampede: the one token still works and rotates normally.
    expect((await call('/me', { headers: bearer(winner.accessToken) })).status).toBe(200);
    const next = await readJson(await refreshWithToken(winner.refreshToken), TokenPairSchema);
    expect(next.refreshToken).not.toBe(winner.refreshToken);
  });

  it(`${PARALLEL} parallel registrations of one email create exactly one account; the rest get 409 or a retry`, {
    timeout: RACE_TIMEOUT_MS,
  }, async () => {
    const email = randomEmail();
    const attempts = Array.from({ length: PARALLEL }, (_, i) => ({
      // Case variants of one address: canonicalisation must make them collide too.
      email: i % 2 === 0 ? email : email.toUpperCase(),
      password: randomPassword(),
      displayName: `Racer ${i}`,
    }));
    const register = (attempt: (typeof attempts)[number]) => call('/auth/register', { json: attempt });

    const responses = await Promise.all(attempts.map(register));

    const statuses = responses.map((res) => res.status);
    assertNotRegisterThrottled(statuses);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    const winnerIndex = statuses.indexOf(201);
    const winner = attempts[winnerIndex];
    const created = responses[winnerIndex];
    if (!winner || !created) throw new Error('no registration succeeded');
    const { user } = await readJson(created, UserEnvelopeSchema);
    expect(user).toMatchObject({ email, displayName: winner.displayName });
    // A loser is told the email is taken, or (a loaded stage that could not reach its database in time) to
    // retry: a 503 with Retry-After. Retried, it must then be told the email is taken.
    for (const [i, res] of responses.entries()) {
      if (i === winnerIndex) continue;
      const attempt = attempts[i];
      if (res.status !== 503 || !attempt) {
        await expectProblem(res, 409, 'email_taken');
        continue;
      }
      await expectProblem(res.clone(), 503, 'dependency_unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(await register(attempt), 409, 'email_taken');
    }

    // The stored account is the winner's: its password signs in.
    const session = await loginWithTokens({ user, email, password: winner.password });
    expect(session.user.id).toBe(user.id);
  });
});
