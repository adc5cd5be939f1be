import { describe, expect, it } from 'vitest';
import { deliverGroupMessage } from '../../shared/domain/groups/send-group-message.js';
import { FakeGroupStore } from '../support/group-fakes.js';
import { fakeRealtimeDeps } from '../support/realtime-fakes.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const GROUP = '33333333-3333-4333-8333-333333333333';

describe('group sends in the MessageStored metric', () => {
  it('counts a stored group message once, not its retry with the same clientMsgId', async () => {
    const fakes = fakeRealtimeDeps();
    const groups = new FakeGroupStore();
    await groups.create({ groupId: GROUP, name: 'Team', creatorId: ALICE, memberIds: [BOB], atMs: 1 });
    const deps = { ...fakes.deps, groups };
    const send = { from: ALICE, groupId: GROUP, body: 'hello team', clientMsgId: 'g-1' };

    const first = await deliverGroupMessage(deps, send);
    const retry = await deliverGroupMessage(deps, send);

    expect([first.duplicate, retry.duplicate]).toEqual([false, true]);
    expect(fakes.metrics.snapshot()).toEqual({ MessageStored: 1 });
  });
});
