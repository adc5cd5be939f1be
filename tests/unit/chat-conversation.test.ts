import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationIdFor, resolvePair } from '../../shared/domain/chat/conversation.js';
import { AppError } from '../../shared/domain/errors.js';

const validationCode = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
};

describe('conversationIdFor', () => {
  it('is the same whichever user asks', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(conversationIdFor(a, b)).toBe(conversationIdFor(b, a));
  });

  it('is deterministic and ignores uuid case', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(conversationIdFor(a.toUpperCase(), b)).toBe(conversationIdFor(a, b.toUpperCase()));
  });

  it('differs for every other pair', () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const ids = new Set([conversationIdFor(a, b), conversationIdFor(a, c), conversationIdFor(b, c)]);
    expect(ids.size).toBe(3);
  });

  it('holds only the two canonical uuids, so it is safe inside a Redis hash tag', () => {
    const a = '00000000-0000-4000-8000-000000000002';
    const b = '00000000-0000-4000-8000-00000000000A';
    expect(conversationIdFor(a, b)).toBe(
      '00000000-0000-4000-8000-000000000002_00000000-0000-4000-8000-00000000000a',
    );
  });

  it.each([
    ['a non-uuid', 'not-a-uuid'],
    ['a key-breaking id', '}{u:victim}'],
    ['an empty id', ''],
  ])('rejects %s', (_name, other) => {
    expect(validationCode(() => conversationIdFor(randomUUID(), other))).toBe('validation_failed');
  });

  it('rejects a conversation with oneself', () => {
    const a = randomUUID();
    expect(validationCode(() => conversationIdFor(a, a.toUpperCase()))).toBe('validation_failed');
  });
});

describe('resolvePair', () => {
  it('canonicalises both ids and names the offending field', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(resolvePair(a.toUpperCase(), b, 'to')).toEqual({
      userId: a,
      peerId: b,
      conversationId: conversationIdFor(a, b),
    });
    try {
      resolvePair(a, a, 'to');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toEqual([{ path: 'to', message: 'You cannot message yourself' }]);
    }
  });
});
