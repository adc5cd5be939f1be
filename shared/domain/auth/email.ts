/** Canonical form used for uniqueness and lookups: trimmed, NFC, lowercased. */
export function canonicalEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

// Pragmatic shape check (RFC 5321 length limits); deliverability is not our business.
const EMAIL_SHAPE = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/u;

export function isPlausibleEmail(canonical: string): boolean {
  return canonical.length <= 254 && EMAIL_SHAPE.test(canonical);
}
