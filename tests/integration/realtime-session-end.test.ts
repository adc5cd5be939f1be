import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sessionKey } from '../../shared/adapters/redis/keys.js';
import { bearer, loginWithTokens, registerAccount, send, sessionIdOf } from '../support/auth-helpers.js';
import { isFrameOfType, openSocket, type TestSocket } from '../support/realtime-ws-client.js';
import {
  type RealtimeHarness,
  type SignedInUser,
  sendOverHttp,
  signUp,
  startRealtimeHarness,
} from '../support/realtime-ws-harness.js';
import { jsonPost } from '../support/test-env.js';

describe('a session that ends takes its sockets with it', () => {
  let h: RealtimeHarness;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // No grace window: replaying the previous refresh token is reuse at once.
    h = await startRealtimeHarness({ REFRESH_GRACE_SECONDS: '0' });
  });

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    await h.settled();
    expect(h.escaped).toEqual([]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function connect(accessToken: string): Promise<TestSocket> {
    const socket = await openSocket(h.gateway.url, { headers: bearer(accessToken) });
    sockets.push(socket);
    return socket;
  }

  it('closes the socket of a session revoked by refresh-token reuse', async () => {
    const account = await registerAccount(h.built.app);
    const stolen = await loginWithTokens(h.built.app, account);
    const victim: SignedInUser = {
      ...account,
      accessToken: stolen.accessToken,
      sessionId: sessionIdOf(stolen.accessToken),
    };
    const attackerSocket = await connect(stolen.accessToken);
    const rotated = await send(h.built.app, '/auth/refresh', jsonPost({ refreshToken: stolen.refreshToken }));
    expect(rotated.status).toBe(200);

    const replay = await send(h.built.app, '/auth/refresh', jsonPost({ refreshToken: stolen.refreshToken }));

    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'refresh_token_reused' });
    await attackerSocket.closed;
    const alice = await signUp(h);
    expect((await sendOverHttp(h, alice, victim, 'for the victim only')).status).toBe(201);
    expect(attackerSocket.json().filter(isFrameOfType('message'))).toEqual([]);
    expect((await h.deps.connections.lookup(victim.id)).live).toEqual([]);
  });

  it('never pushes to a socket whose session vanished without an event (expiry), and closes it', async () => {
    const [alice, bob] = await Promise.all([signUp(h), signUp(h)]);
    const expiring = await connect(bob.accessToken);
    const bobElsewhere = await loginWithTokens(h.built.app, bob);
    const kept = await connect(bobElsewhere.accessToken);
    // What an expired TTL leaves behind: the session is gone, nothing else was told.
    await h.built.redis.del(sessionKey(bob.id, bob.sessionId));

    expect((await sendOverHttp(h, alice, bob, 'after expiry')).status).toBe(201);

    expect(await kept.waitForFrame(isFrameOfType('message'))).toMatchObject({
      message: { body: 'after expiry' },
    });
    await expiring.closed;
    expect(expiring.json().filter(isFrameOfType('message'))).toEqual([]);
  });
});
