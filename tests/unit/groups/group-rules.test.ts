import { describe, expect, it } from 'vitest';
import {
  canAddMembers,
  canRemove,
  canRename,
  checkGroupId,
  groupNameOf,
  successorAfterLeave,
  userIdsOf,
} from '../../../shared/domain/groups/group-rules.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

const codeOf = (act: () => unknown): string | undefined => {
  try {
    act();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('group names', () => {
  it('trims, normalises to NFC and keeps up to 100 characters (emoji count once)', () => {
    expect(groupNameOf('  Cafe\u0301 crew  ')).toBe('Café crew');
    expect(groupNameOf('🎉'.repeat(100))).toBe('🎉'.repeat(100));
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'x'.repeat(101)],
    ['invisible only', '\u2800\u3164'],
    ['control characters', 'team\u0000'],
    ['bidi override', 'abc\u202e'],
  ])('refuses a name that is %s', (_, name) => {
    expect(codeOf(() => groupNameOf(name))).toBe('validation_failed');
  });
});

describe('member ids', () => {
  it('canonicalises, de-duplicates and drops the caller', () => {
    expect(userIdsOf([BOB.toUpperCase(), BOB, ALICE], ALICE, 'memberIds')).toEqual([BOB]);
  });

  it('names the first id that is not a uuid', () => {
    let path: unknown;
    try {
      userIdsOf([BOB, 'robert'], ALICE, 'memberIds');
    } catch (error) {
      path = (error as { details?: { path: string }[] }).details?.[0]?.path;
    }
    expect(path).toBe('memberIds.1');
  });

  it('answers an id that is not a group id like a group the caller cannot see (404)', () => {
    expect(codeOf(() => checkGroupId('../../etc'))).toBe('not_found');
    expect(checkGroupId(BOB.toUpperCase())).toBe(BOB);
  });
});

describe('roles', () => {
  it('lets admins rename, add and remove anyone; members only remove themselves', () => {
    expect([
      canRename('admin'),
      canAddMembers('admin'),
      canRemove({ userId: ALICE, role: 'admin' }, BOB),
    ]).toEqual([true, true, true]);
    expect([
      canRename('member'),
      canAddMembers('member'),
      canRemove({ userId: ALICE, role: 'member' }, BOB),
    ]).toEqual([false, false, false]);
    expect(canRemove({ userId: ALICE, role: 'member' }, ALICE)).toBe(true);
  });

  it('promotes the longest-standing member only when no admin is left', () => {
    const members = [
      { userId: 'late', role: 'member' as const, joinOrder: 7 },
      { userId: 'early', role: 'member' as const, joinOrder: 2 },
    ];
    expect(successorAfterLeave(members)).toBe('early');
    expect(successorAfterLeave([...members, { userId: 'boss', role: 'admin', joinOrder: 9 }])).toBeNull();
    expect(successorAfterLeave([])).toBeNull();
  });
});
