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

/** True when a display name or identifier contains invisible or control characters. */
export function hasForbiddenNameCharacters(value: string): boolean {
  return FORBIDDEN_IN_NAMES.test(value) || LONE_SURROGATE.test(value);
}

/** True when free text (a chat message) contains control characters other than newline and tab. */
export function hasForbiddenTextCharacters(value: string): boolean {
  return FORBIDDEN_IN_TEXT.test(value) || LONE_SURROGATE.test(value);
}

/** Length in user-perceived code points, so emoji count once. */
export const codePointLength = (value: string): number => [...value].length;
