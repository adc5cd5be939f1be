import { describe, expect, it } from 'vitest';
import type { RequestOrigin } from '../../shared/domain/auth/auth-deps.js';
import { registerUser } from '../../shared/domain/auth/register-user.js';
import { blockUser, listBlocks } from '../../shared/domain/chat/block-user.js';
import { contactList } from '../../shared/domain/realtime/contact-list.js';
import { fakeAuth } from '../support/fakes-auth-ports.js';
import { withEmailVerification } from '../support/fakes-email-verification.js';
import { FakeUserDirectory, fakeRealtimeDeps } from '../support/realtime-fakes.js';

const ORIGIN: RequestOrigin = { ip: '198.51.100.4', userAgent: 'vitest' };
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const NEW_ACCOUNT = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  displayName: 'Ada',
};

describe('the user directory', () => {
  it('gets every new account once Postgres has stored it, with its name and row timestamp', async () => {
    const auth = fakeAuth();

    const user = await registerUser(withEmailVerification(auth).deps, NEW_ACCOUNT, ORIGIN);

    expect([...auth.directory.entries.values()]).toEqual([
      { id: user.id, displayName: 'Ada', updatedAt: user.createdAt },
    ]);
  });

  it('gets nothing when the account could not be stored', async () => {
    const auth = fakeAuth();
    await registerUser(withEmailVerification(auth).deps, NEW_ACCOUNT, ORIGIN);
    const before = [...auth.directory.entries.keys()];

    await expect(
      registerUser(withEmailVerification(auth).deps, { ...NEW_ACCOUNT, displayName: 'Impostor' }, ORIGIN),
    ).rejects.toMatchObject({ code: 'email_taken' });

    expect([...auth.directory.entries.keys()]).toEqual(before);
  });

  it('is where blocking checks that the peer exists and where the block list gets its names', async () => {
    const directory = new FakeUserDirectory();
    const blocked: string[] = [];
    const deps = {
      directory,
      clock: { nowMs: () => 1_700_000_000_000 },
      blocks: {
        block: async (_userId: string, peerId: string) => void blocked.push(peerId),
        unblock: async () => {},
        list: async () => blocked.map((peerId) => ({ peerId, blockedAt: new Date(0) })),
      },
    };

    await expect(blockUser(deps, { userId: ALICE, peerId: BOB })).rejects.toMatchObject({
      code: 'not_found',
    });
    await directory.put({ id: BOB, displayName: 'Bob', updatedAt: new Date(0) });
    await blockUser(deps, { userId: ALICE, peerId: BOB });

    expect(await listBlocks(deps, ALICE)).toEqual([
      { user: { id: BOB, displayName: 'Bob' }, blockedAt: new Date(0) },
    ]);
  });

  it('names the contacts and leaves out peers it does not know', async () => {
    const { deps, chat, missingUsers, directory } = fakeRealtimeDeps();
    const carol = '33333333-3333-4333-8333-333333333333';
    const lastMessage = {
      id: '1700000000000-0',
      conversationId: 'c',
      from: ALICE,
      to: BOB,
      body: 'hi',
      sentAt: '2023-11-14T22:13:20.000Z',
      clientMsgId: 'm',
    };
    chat.contacts = async () => [
      { peerId: BOB, lastMessage, unread: 0, messaged: true },
      { peerId: carol, lastMessage, unread: 1, messaged: false },
    ];
    missingUsers.add(carol);
    await directory.put({ id: BOB, displayName: 'Bob Builder', updatedAt: new Date(0) });

    const contacts = await contactList(deps, ALICE);

    expect(contacts.map((contact) => contact.user)).toEqual([{ id: BOB, displayName: 'Bob Builder' }]);
  });
});
