import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../../shared/contract/wire.js';
import { removeGroupMember } from '../../../shared/domain/groups/group-membership.js';
import { createGroup } from '../../../shared/domain/groups/manage-group.js';
import { deliverGroupMessage } from '../../../shared/domain/groups/send-group-message.js';
import { fakeRealtimeDeps } from '../../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAROL = '33333333-3333-4333-8333-333333333333';

async function arrange() {
  const fakes = fakeRealtimeDeps();
  for (const [connectionId, userId] of [
    ['alice-laptop', ALICE],
    ['alice-phone', ALICE],
    ['bob', BOB],
    ['carol', CAROL],
  ] as const) {
    await fakes.connections.add({ connectionId, userId, sessionId: `session-${connectionId}` });
  }
  const group = await createGroup(fakes.deps, { userId: ALICE, name: 'Trio', memberIds: [BOB, CAROL] });
  fakes.push.posts.length = 0;
  const types = (connectionId: string) =>
    fakes.push.framesTo(connectionId).map((frame: ServerFrame) => frame.type);
  return { ...fakes, group, types };
}

describe('group delivery', () => {
  it('acks the sending socket and pushes to every other socket of every member', async () => {
    const { deps, group, types } = await arrange();

    const { duplicate } = await deliverGroupMessage(deps, {
      from: ALICE,
      groupId: group.id,
      body: 'hi',
      clientMsgId: 'one',
      viaConnectionId: 'alice-laptop',
    });

    expect(duplicate).toBe(false);
    expect(types('alice-laptop')).toEqual(['groupAck']);
    expect([types('alice-phone'), types('bob'), types('carol')]).toEqual([
      ['groupMessage'],
      ['groupMessage'],
      ['groupMessage'],
    ]);
  });

  it('drops the sockets of a member removed between reading the members and appending', async () => {
    const { deps, groups, group, types } = await arrange();
    const read = groups.memberIds.bind(groups);
    groups.memberIds = async (groupId) => {
      const before = await read(groupId);
      await groups.removeMember(groupId, ALICE, CAROL);
      return before;
    };

    await deliverGroupMessage(deps, { from: ALICE, groupId: group.id, body: 'after', clientMsgId: 'two' });

    expect(types('bob')).toEqual(['groupMessage']);
    expect(types('carol')).toEqual([]);
  });

  it('tells the removed member and the remaining ones, and refuses the removed member afterwards', async () => {
    const { deps, group, types, push } = await arrange();

    await removeGroupMember(deps, { userId: ALICE, groupId: group.id, memberId: CAROL });

    const removal = push.framesTo('carol')[0];
    expect(removal).toMatchObject({ type: 'group', event: 'member_removed', userIds: [CAROL], by: ALICE });
    expect(types('bob')).toEqual(['group']);
    await expect(
      deliverGroupMessage(deps, { from: CAROL, groupId: group.id, body: 'hello?', clientMsgId: 'three' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('spends nothing on an invalid send', async () => {
    const { deps, group } = await arrange();
    let hits = 0;
    deps.limiter = {
      hit: async () => {
        hits += 1;
        return { allowed: true };
      },
      reset: async () => {},
    };

    await expect(
      deliverGroupMessage(deps, { from: ALICE, groupId: group.id, body: '   ', clientMsgId: 'four' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(hits).toBe(0);
  });
});
