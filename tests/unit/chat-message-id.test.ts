import { describe, expect, it } from 'vitest';
import {
  compareMessageIds,
  isMessageId,
  messageIdScore,
  parseMessageId,
  sentAtOf,
} from '../../shared/domain/chat/message-id.js';

describe('message ids', () => {
  it('parses Redis stream ids', () => {
    expect(parseMessageId('1700000000000-0')).toEqual({ ms: 1700000000000, seq: 0 });
    expect(parseMessageId('1700000000000-42')).toEqual({ ms: 1700000000000, seq: 42 });
  });

  it.each(['', '17', '-1', '1-', '1-2-3', '(1-0', '1700000000000-0 ', 'a-b', '99999999999999999-0'])(
    'rejects %j',
    (value) => {
      expect(isMessageId(value)).toBe(false);
    },
  );

  it('compares by milliseconds, then sequence, numerically', () => {
    expect(compareMessageIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareMessageIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareMessageIds('10-10', '10-10')).toBe(0);
    expect(compareMessageIds('11-0', '10-999')).toBeGreaterThan(0);
  });

  it('takes sentAt from the id', () => {
    expect(sentAtOf('1700000000123-5')).toBe('2023-11-14T22:13:20.123Z');
  });
});

describe('message id scores', () => {
  it('encodes ms * 1000 + seq', () => {
    expect(messageIdScore('1700000000000-0')).toBe(1_700_000_000_000_000);
    expect(messageIdScore('1700000000000-7')).toBe(1_700_000_000_000_007);
  });

  it('preserves the order of ids with fewer than 1,000 messages per millisecond', () => {
    const ids = [
      '1700000000000-0',
      '1700000000000-1',
      '1700000000000-998',
      '1700000000001-0',
      '1800000000000-3',
    ];
    const scores = ids.map(messageIdScore);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    expect(new Set(scores).size).toBe(ids.length);
  });

  it('collapses sequences from 999 on into one score (the documented assumption)', () => {
    expect(messageIdScore('1700000000000-999')).toBe(messageIdScore('1700000000000-5000'));
    expect(messageIdScore('1700000000000-5000')).toBeLessThan(messageIdScore('1700000000001-0'));
  });

  it('stays an exact integer for the largest accepted id and refuses larger ones', () => {
    const largest = `${Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1}-99999`;
    expect(Number.isSafeInteger(messageIdScore(largest))).toBe(true);
    expect(isMessageId(`${Math.floor(Number.MAX_SAFE_INTEGER / 1000)}-0`)).toBe(false);
  });
});
