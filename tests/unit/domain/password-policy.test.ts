import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy } from '../../../shared/domain/auth/password-policy.js';

describe('checkPasswordPolicy', () => {
  it('requires at least 8 characters and accepts exactly 8', () => {
    expect(checkPasswordPolicy('xk7#Qw2')).toBe('too_short');
    expect(checkPasswordPolicy('xk7#Qw2!')).toBeNull();
  });

  it('counts length in code points, so an emoji counts once', () => {
    // Seven astral emoji are 14 UTF-16 units but only 7 characters.
    expect(checkPasswordPolicy('🦊🐙🦉🐝🦀🐢🦄')).toBe('too_short');
    expect(checkPasswordPolicy('🦊🐙🦉🐝🦀🐢🦄🐳')).toBeNull();
  });

  it('accepts any script and spaces', () => {
    expect(checkPasswordPolicy('пароль для входа')).toBeNull();
    expect(checkPasswordPolicy('correct horse battery staple')).toBeNull();
    expect(checkPasswordPolicy('秘密の合言葉です')).toBeNull();
  });

  it('accepts 256 code points and rejects 257', () => {
    expect(checkPasswordPolicy('x'.repeat(256))).toBeNull();
    expect(checkPasswordPolicy('x'.repeat(257))).toBe('too_long');
    expect(checkPasswordPolicy('🦊'.repeat(256))).toBeNull();
    expect(checkPasswordPolicy('🦊'.repeat(257))).toBe('too_long');
  });

  it.each([
    ['eight spaces', ' '.repeat(8)],
    ['tabs and newlines', '\t\n\t\n\t\n\t\n'],
    ['ideographic and no-break spaces', '\u3000\u00a0'.repeat(5)],
    ['Braille blanks', '\u2800'.repeat(8)],
    ['Hangul fillers', '\u3164'.repeat(8)],
  ])('rejects a password with no visible character (%s) as blank', (_label, password) => {
    expect(checkPasswordPolicy(password)).toBe('blank');
  });

  it('accepts spaces around a visible character', () => {
    expect(checkPasswordPolicy('       x')).toBeNull();
  });

  it('accepts at least 64 characters', () => {
    expect(checkPasswordPolicy('Tr0ub4dor&3'.repeat(6).slice(0, 64))).toBeNull();
  });

  it('rejects very common passwords regardless of case', () => {
    for (const password of ['password', 'PASSWORD', 'PassWord123', 'qwertyuiop', 'QwErTyUiOp', '12345678']) {
      expect(checkPasswordPolicy(password), password).toBe('too_common');
    }
  });

  it('does not reject a password merely because it contains a common one', () => {
    expect(checkPasswordPolicy('password-but-longer-and-mine')).toBeNull();
  });
});
