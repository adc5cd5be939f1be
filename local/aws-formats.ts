import { randomBytes } from 'node:crypto';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// API Gateway's connection, request and message ids are 11 random bytes in base64: 16 chars ending in "=",
// including "+" and "/", so encoding bugs in handlers surface locally too.
export const awsId = (): string => randomBytes(11).toString('base64');

const pad = (n: number): string => String(n).padStart(2, '0');

/** API Gateway's `requestTime`/`time`: Common Log Format in UTC, e.g. `26/Nov/2026:18:31:00 +0000`. */
export function clfTime(d: Date): string {
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${time} +0000`;
}

/** Percent-decoding that keeps a malformed sequence as it is instead of throwing. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
