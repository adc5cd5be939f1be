import { describe, expect, it } from 'vitest';
import { checkBody, isClientMsgId, MAX_BODY_CODE_POINTS } from '../../shared/domain/chat/message.js';

describe('message body rules', () => {
  it('accepts ordinary text with newlines and tabs', () => {
    expect(checkBody('hi')).toBeNull();
    expect(checkBody('line one\n\tline two')).toBeNull();
    expect(checkBody('  padded  ')).toBeNull();
  });

  it('rejects empty and whitespace-only bodies', () => {
    expect(checkBody('')).toBe('empty');
    expect(checkBody(' \n\t ')).toBe('blank');
    expect(checkBody('\u00a0\u2003\u3000')).toBe('blank');
  });

  it('counts code points, so 4,000 emoji fit and 4,001 characters do not', () => {
    expect(checkBody('😀'.repeat(MAX_BODY_CODE_POINTS))).toBeNull();
    expect(checkBody('a'.repeat(MAX_BODY_CODE_POINTS))).toBeNull();
    expect(checkBody('a'.repeat(MAX_BODY_CODE_POINTS + 1))).toBe('too_long');
    expect(checkBody('😀'.repeat(MAX_BODY_CODE_POINTS + 1))).toBe('too_long');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['carriage return', 'a\rb'],
    ['escape', 'a\u001b[31mred'],
    ['DEL', 'a\u007f'],
    ['C1 next line', 'a\u0085b'],
    ['lone surrogate', 'a\ud800b'],
  ])('rejects %s', (_name, body) => {
    expect(checkBody(body)).toBe('forbidden_characters');
  });
});

describe('clientMsgId rules', () => {
  it.each(['a', 'A-z_0-9', '0f8e1c2a-7b3d-4e5f-9a6b-1c2d3e4f5a6b', 'x'.repeat(64)])('accepts %s', (value) => {
    expect(isClientMsgId(value)).toBe(true);
  });

  it.each(['', 'x'.repeat(65), 'has space', 'a:b', 'a}b', 'ünïcode', 'a\nb', 'a.b'])(
    'rejects %j',
    (value) => {
      expect(isClientMsgId(value)).toBe(false);
    },
  );
});
