import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loginWithCookies, refreshWithToken, registerAccount } from '../support/e2e-accounts.js';
import { bearer, call, expectProblem } from '../support/e2e-http.js';
import { closeAllSockets, connectRejected } from '../support/e2e-ws.js';
import {
  anotherDevice,
  chatUser,
  connectAs,
  contactsOf,
  fullHistory,
  postMessageOk,
} from '../support/e2e-ws-chat.js';

const CLOSE_DEADLINE_MS = 5_000;
const NEW_PASSWORD = `changed ${randomUUID()}`;

afterEach(async () => {
  expect(await closeAllSockets(), 'frames outside the WebSocket contract').toEqual([]);
});

describe('password change', () => {
  it('keeps the current session and its socket, and ends the others: their refresh fails, their socket closes', async () => {
    const user = await chatUser();
    const other = await anotherDevice(user);
    const kept = await connectAs(user, 'ticket', 'kept');
    const ended = await connectAs(other, 'bearer', 'ended');

    const res = await call('/auth/password', {
      json: { currentPassword: user.account.password, newPassword: NEW_PASSWORD },
      headers: bearer(user.accessToken),
    });

    expect(res.status, await res.clone().text()).toBe(204);
    await ended.waitForClose(CLOSE_DEADLINE_MS);
    await kept.roundTrip();
    expect(kept.isClosed).toBe(false);
    expect((await call('/me', { headers: bearer(user.accessToken) })).status).toBe(200);
    await expectProblem(await refreshWithToken(other.refreshToken), 401, 'unauthenticated');
    expect((await refreshWithToken(user.refreshToken)).status).toBe(200);
    await expectProblem(
      await call('/auth/login', { json: { email: user.account.email, password: user.account.password } }),
      401,
      'invalid_credentials',
    );
    const relogin = await call('/auth/login', {
      json: { email: user.account.email, password: NEW_PASSWORD },
    });
    expect(relogin.status).toBe(200);
    await kept.close();
  });

  it('works for a browser session with its cookies (same-origin), and answers a wrong current password 401', async () => {
    const account = await registerAccount();
    const { jar } = await loginWithCookies(account);

    const wrong = await call('/auth/password', {
      json: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
      jar,
    });
    const right = await call('/auth/password', {
      json: { currentPassword: account.password, newPassword: NEW_PASSWORD },
      jar,
    });

    await expectProblem(wrong, 401, 'invalid_credentials');
    expect(right.status, await right.clone().text()).toBe(204);
    expect((await call('/me', { jar })).status).toBe(200);
  });
});

describe('account deletion', () => {
  it('cannot sign in afterwards, leaves no session or socket, frees the email; the peer keeps the history', async () => {
    const [leaver, peer] = [await chatUser(), await chatUser()];
    const otherDevice = await anotherDevice(leaver);
    await postMessageOk(leaver, peer.id, 'hello before leaving');
    await postMessageOk(peer, leaver.id, 'hello back');
    const sockets = [
      await connectAs(leaver, 'ticket', 'leaver'),
      await connectAs(otherDevice, 'bearer', 'other'),
    ];

    const res = await call('/me', {
      method: 'DELETE',
      json: { password: leaver.account.password },
      headers: bearer(leaver.accessToken),
    });

    expect(res.status, await res.clone().text()).toBe(204);
    await Promise.all(sockets.map((socket) => socket.waitForClose(CLOSE_DEADLINE_MS)));
    await expectProblem(
      await call('/auth/login', { json: { email: leaver.account.email, password: leaver.account.password } }),
      401,
      'invalid_credentials',
    );
    for (const device of [leaver, otherDevice]) {
      await expectProblem(await call('/me', { headers: bearer(device.accessToken) }), 401, 'unauthenticated');
      await expectProblem(await refreshWithToken(device.refreshToken), 401, 'unauthenticated');
      expect((await connectRejected({ bearer: device.accessToken })).status).toBe(401);
    }

    const contacts = await contactsOf(peer);
    expect(contacts.map((contact) => contact.user)).toEqual([{ id: leaver.id, displayName: 'Deleted user' }]);
    const { messages } = await fullHistory(peer, leaver.id);
    expect(messages.map((message) => message.body).sort()).toEqual(['hello back', 'hello before leaving']);

    const again = await call('/auth/register', {
      json: { email: leaver.account.email, password: leaver.account.password, displayName: 'Back again' },
    });
    expect(again.status, await again.clone().text()).toBe(201);
  });

  it('refuses a wrong password with 401 and deletes nothing', async () => {
    const user = await chatUser();

    const res = await call('/me', {
      method: 'DELETE',
      json: { password: 'not the password' },
      headers: bearer(user.accessToken),
    });

    await expectProblem(res, 401, 'invalid_credentials');
    expect((await call('/me', { headers: bearer(user.accessToken) })).status).toBe(200);
  });
});
