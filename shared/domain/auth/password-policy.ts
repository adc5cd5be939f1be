import { codePointLength, hasVisibleCharacter } from '../text.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

const PASSWORD_MIN_LENGTH = 8;
// Checked before any hashing, so a huge password cannot buy CPU time.
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'blank' | 'too_common';

/** What each policy failure tells the user (registration and password change alike). */
export const PASSWORD_MESSAGES = {
  too_short: 'Password must be at least 8 characters',
  too_long: 'Password must be at most 256 characters',
  blank: 'Password must contain a visible character, not only spaces',
  too_common: 'Password is too common; choose another',
} as const satisfies Record<PasswordProblem, string>;

/** ASVS 6.2: length rules in code points (any script), a visible character, and a common-password block list. */
export function checkPasswordPolicy(password: string): PasswordProblem | null {
  const length = codePointLength(password);
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  // Eight spaces pass a length rule but are the first thing a guesser tries.
  if (!hasVisibleCharacter(password)) return 'blank';
  if (COMMON_PASSWORDS.has(password) || COMMON_PASSWORDS.has(password.toLowerCase())) return 'too_common';
  return null;
}
