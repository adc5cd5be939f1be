import { hasDefaultIgnorable, hasForbiddenNameCharacters } from '../text.js';

/** Canonical form used for uniqueness and lookups: trimmed, lowercased, NFC. */
export function canonicalEmail(raw: string): string {
  // NFC last: lowercasing can turn an NFC string into a composable one (U+03AA U+0301 → U+03CA U+0301).
  return raw.trim().toLowerCase().normalize('NFC');
}

// Pragmatic shape check (RFC 5321 length limits); deliverability is not our business.
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/u;

/** Shape and length only, plus no control or invisible character (U+00AD in an address is a look-alike). */
export function isPlausibleEmail(canonical: string): boolean {
  return (
    canonical.length <= 254 &&
    EMAIL_SHAPE.test(canonical) &&
    !hasForbiddenNameCharacters(canonical) &&
    !hasDefaultIgnorable(canonical)
  );
}
