// C0/C1 controls (incl. NUL, which Postgres text cannot hold), line/paragraph separators, bidi marks
// (incl. U+061C), overrides/isolates and zero-width characters: invisible in a UI, so they enable
// spoofing in names and break identifiers.
const FORBIDDEN_IN_NAMES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
// Message text may keep newline and tab; every other control character is rejected.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
// A lone UTF-16 surrogate cannot be encoded as UTF-8 and would be mangled on its way to the stores.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Code points a renderer shows as nothing unless it supports them (Unicode's Default_Ignorable_Code_Point):
// soft hyphen U+00AD, combining grapheme joiner U+034F, Hangul fillers U+115F/U+1160/U+3164/U+FFA0,
// variation selectors, tag characters U+E0000–E007F and more; they make look-alike or blank names.
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
// The one kept: U+FE0F directly after an emoji selects its colour presentation (❤️), a visible effect.
const EMOJI_PRESENTATION = /(?<=\p{Emoji})\ufe0f/gu;
// Visible = not whitespace, a combining mark, a control/format/private-use/unassigned code point, a
// default-ignorable one, or U+2800 BRAILLE PATTERN BLANK (a "letter" that draws nothing).
const VISIBLE = /[^\p{White_Space}\p{M}\p{C}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** True when a display name or identifier contains invisible or control characters. */
export function hasForbiddenNameCharacters(value: string): boolean {
  return (
    FORBIDDEN_IN_NAMES.test(value) ||
    LONE_SURROGATE.test(value) ||
    DEFAULT_IGNORABLE.test(value.replace(EMOJI_PRESENTATION, ''))
  );
}

/** True when the value contains any default-ignorable code point, emoji presentation selectors included. */
export const hasDefaultIgnorable = (value: string): boolean => DEFAULT_IGNORABLE.test(value);

/** True when at least one character would draw something (a name of only blanks or marks would not). */
export const hasVisibleCharacter = (value: string): boolean => VISIBLE.test(value);

/** True when free text (a chat message) contains control characters other than newline and tab. */
export function hasForbiddenTextCharacters(value: string): boolean {
  return FORBIDDEN_IN_TEXT.test(value) || LONE_SURROGATE.test(value);
}

/** Length in user-perceived code points, so emoji count once. */
export const codePointLength = (value: string): number => [...value].length;
