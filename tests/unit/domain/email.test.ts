import { describe, expect, it } from 'vitest';
import { canonicalEmail, isPlausibleEmail } from '../../../shared/domain/auth/email.js';

describe('canonicalEmail', () => {
  it('trims surrounding whitespace and lowercases', () => {
    expect(canonicalEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
  });

  it('maps NFC and NFD spellings of the same address to one canonical form', () => {
    const composed = 'Jos\u00e9@example.com';
    const decomposed = 'Jose\u0301@example.com';
    expect(canonicalEmail(composed)).toBe('jos\u00e9@example.com');
    expect(canonicalEmail(decomposed)).toBe(canonicalEmail(composed));
  });

  it('returns NFC even when lowercasing creates a composable sequence', () => {
    // U+03AA + U+0301 is NFC, but its lowercase (U+03CA + U+0301) composes to U+0390.
    const result = canonicalEmail('\u03aa\u0301@example.gr');
    expect(result).toBe('\u0390@example.gr');
    expect(result).toBe(result.normalize('NFC'));
    expect(canonicalEmail(result)).toBe(result);
  });

  it('is idempotent', () => {
    for (const raw of [' A@B.CO ', 'Ünïcödé@Exämple.de', 'x+tag@sub.example.org']) {
      const once = canonicalEmail(raw);
      expect(canonicalEmail(once)).toBe(once);
    }
  });
});

describe('isPlausibleEmail', () => {
  it.each(['ada@example.com', 'first.last+tag@sub.example.co.uk', 'jos\u00e9@ex\u00e4mple.de'])(
    'accepts %s',
    (email) => {
      expect(isPlausibleEmail(email)).toBe(true);
    },
  );

  it.each([
    ['no at sign', 'ada.example.com'],
    ['two at signs', 'ada@home@example.com'],
    ['no domain dot', 'ada@localhost'],
    ['empty local part', '@example.com'],
    ['empty domain label', 'ada@example..com'],
    ['trailing dot', 'ada@example.com.'],
    ['inner space', 'ada lovelace@example.com'],
    ['local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    ['over 254 characters', `a@${'b'.repeat(250)}.com`],
    ['empty string', ''],
    ['a soft hyphen U+00AD in the local part', 'a\u00adda@example.com'],
    ['a soft hyphen U+00AD in the domain', 'ada@exam\u00adple.com'],
    ['a zero-width joiner', 'a\u200dda@example.com'],
    ['a tag character', 'ada\u{e0041}@example.com'],
    ['an emoji presentation selector', '\u2764\ufe0f@example.com'],
    ['a control character', 'ada\u0007@example.com'],
  ])('rejects %s', (_label, email) => {
    expect(isPlausibleEmail(email)).toBe(false);
  });
});
