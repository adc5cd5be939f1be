import { codePointLength, hasForbiddenTextCharacters } from '../text.js';

/** A direct message as the API shows it: declared once, in the wire contract. */
export type { ChatMessage } from '../../contract/wire.js';

export const MAX_BODY_CODE_POINTS = 4000;

const CLIENT_MSG_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BLANK = /^\s*$/u;

export type BodyProblem = 'empty' | 'blank' | 'too_long' | 'forbidden_characters';

/**
 * Why a message body is unacceptable, or null. The body is stored verbatim (no trimming or normalisation);
 * 4,000 code points stay under API Gateway's 32 KB frame even as 4-byte UTF-8 inside JSON.
 */
export function checkBody(body: string): BodyProblem | null {
  if (body.length === 0) return 'empty';
  if (codePointLength(body) > MAX_BODY_CODE_POINTS) return 'too_long';
  if (hasForbiddenTextCharacters(body)) return 'forbidden_characters';
  if (BLANK.test(body)) return 'blank';
  return null;
}

/** A client's idempotency token: 1–64 characters of `[A-Za-z0-9_-]`, so it can sit inside a Redis key. */
export const isClientMsgId = (value: string): boolean => CLIENT_MSG_ID.test(value);
