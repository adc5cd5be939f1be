import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  hasDefaultIgnorable,
  hasForbiddenNameCharacters,
  hasForbiddenTextCharacters,
  hasVisibleCharacter,
} from '../../../shared/domain/text.js';

describe('hasForbiddenNameCharacters', () => {
  it.each([
    ['plain ASCII', 'Ada Lovelace'],
    ['accents and other scripts', 'José Ñúñez 李小龍 Иван'],
    ['a single emoji', 'Ada 🦊'],
    ['punctuation', "O'Brien-Smith (she/her)"],
    ['an emoji with its presentation selector (❤️)', 'Ada \u2764\ufe0f'],
    ['a keycap (1️⃣)', 'Team 1\ufe0f\u20e3'],
  ])('allows %s', (_label, name) => {
    expect(hasForbiddenNameCharacters(name)).toBe(false);
  });

  it.each([
    ['NUL', 'Ada\u0000'],
    ['a C0 control (bell)', 'Ada\u0007'],
    ['newline', 'Ada\nLovelace'],
    ['tab', 'Ada\tLovelace'],
    ['DEL', 'Ada\u007f'],
    ['a C1 control (NEL)', 'Ada\u0085'],
    ['a C1 control (CSI)', 'Ada\u009b'],
    ['right-to-left override U+202E', 'admin\u202egnp.exe'],
    ['left-to-right embedding U+202A', '\u202aAda'],
    ['a bidi isolate U+2066', '\u2066Ada\u2069'],
    ['zero-width space U+200B', 'Ad\u200ba'],
    ['zero-width joiner U+200D', 'Ad\u200da'],
    ['right-to-left mark U+200F', 'Ada\u200f'],
    ['Arabic letter mark U+061C', 'Ada\u061c'],
    ['line separator U+2028', 'Ada\u2028Admin'],
    ['paragraph separator U+2029', 'Ada\u2029Admin'],
    ['word joiner U+2060', 'Ad\u2060a'],
    ['byte order mark U+FEFF', '\ufeffAda'],
    ['a lone high surrogate', 'Ada\ud83e'],
    ['a lone low surrogate', '\udd8aAda'],
    ['soft hyphen U+00AD', 'Ad\u00ada'],
    ['combining grapheme joiner U+034F', 'Ada\u034f'],
    ['Hangul filler U+3164', '\u3164'],
    ['Hangul choseong filler U+115F', '\u115f'],
    ['Hangul jungseong filler U+1160', 'Ada\u1160'],
    ['halfwidth Hangul filler U+FFA0', '\uffa0'],
    ['Mongolian vowel separator U+180E', 'Ada\u180e'],
    ['a tag character U+E0041', 'Ada\u{e0041}'],
    ['the cancel tag U+E007F', 'Ada\u{e007f}'],
    ['a variation selector after a letter', 'Ada\ufe0f'],
    ['a second presentation selector after an emoji', '\u2764\ufe0f\ufe0f'],
    ['a variation selector supplement U+E0100', 'Ada\u{e0100}'],
  ])('rejects %s', (_label, name) => {
    expect(hasForbiddenNameCharacters(name)).toBe(true);
  });
});

describe('hasDefaultIgnorable', () => {
  it('finds every default-ignorable code point, emoji presentation selectors included', () => {
    expect(hasDefaultIgnorable('ada@example.com')).toBe(false);
    expect(hasDefaultIgnorable('a\u00adda@example.com')).toBe(true);
    expect(hasDefaultIgnorable('\u2764\ufe0f@example.com')).toBe(true);
  });
});

describe('hasVisibleCharacter', () => {
  it.each([
    ['a letter', 'a'],
    ['a digit among spaces', '  7  '],
    ['an emoji', '🦊'],
    ['a CJK ideograph', '李'],
    ['punctuation', '.'],
  ])('is true for %s', (_label, value) => {
    expect(hasVisibleCharacter(value)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['spaces', '   '],
    ['ideographic space U+3000', '\u3000'],
    ['Braille pattern blank U+2800', '\u2800\u2800'],
    ['combining marks only', '\u0301\u0308'],
    ['Hangul filler U+3164', '\u3164'],
    ['zero-width space and a tag', '\u200b\u{e0041}'],
    ['private use U+E000', '\ue000'],
  ])('is false for %s', (_label, value) => {
    expect(hasVisibleCharacter(value)).toBe(false);
  });
});

describe('hasForbiddenTextCharacters', () => {
  it('allows newline and tab in message text', () => {
    expect(hasForbiddenTextCharacters('line one\nline two\n\tindented')).toBe(false);
  });

  it('allows emoji and bidi marks in message text', () => {
    expect(hasForbiddenTextCharacters('hi 👋 \u202eolleh')).toBe(false);
  });

  it.each([
    ['NUL', 'hi\u0000'],
    ['carriage return', 'hi\r\nthere'],
    ['escape', 'hi\u001b[31m'],
    ['DEL', 'hi\u007f'],
    ['a C1 control', 'hi\u0090'],
    ['a lone surrogate', 'hi\ud800'],
  ])('rejects %s', (_label, text) => {
    expect(hasForbiddenTextCharacters(text)).toBe(true);
  });
});

describe('codePointLength', () => {
  it('counts an astral emoji once, unlike String.length', () => {
    expect('🦊'.length).toBe(2);
    expect(codePointLength('🦊')).toBe(1);
    expect(codePointLength('a🦊b')).toBe(3);
  });
});
