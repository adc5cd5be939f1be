import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  hasForbiddenNameCharacters,
  hasForbiddenTextCharacters,
} from '../../../shared/domain/text.js';

describe('hasForbiddenNameCharacters', () => {
  it.each([
    ['plain ASCII', 'Ada Lovelace'],
    ['accents and other scripts', 'José Ñúñez 李小龍 Иван'],
    ['a single emoji', 'Ada 🦊'],
    ['punctuation', "O'Brien-Smith (she/her)"],
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
  ])('rejects %s', (_label, name) => {
    expect(hasForbiddenNameCharacters(name)).toBe(true);
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
