import { it } from 'vitest';
import { send, startApp, STRONG_PASSWORD } from '../support/auth-helpers.js';
import { jsonPost, randomEmail } from '../support/test-env.js';

it('probe', async () => {
  const t = await startApp();
  for (let round = 0; round < 2; round++) {
    const email = randomEmail();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(t.app, '/auth/register', jsonPost({ email, password: STRONG_PASSWORD, displayName: `R ${i}` }))),
    );
    const summary = await Promise.all(responses.map(async (r) => `${r.status}:${r.status === 201 ? '' : ((await r.json()) as {code:string, detail: string}).detail}:${r.headers.get('retry-after')}`));
    console.log(`PROBE ${summary.filter((s) => !s.startsWith('409')).join(' ')}`);
  }
  await t.stop();
}, 60000);
