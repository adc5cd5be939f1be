import { isAppError } from '../domain/errors.js';

/**
 * What a log line may say about a failure. Never a library's message: drizzle's holds the SQL and its
 * parameters (emails, password hashes), pg's can quote a value, others may echo input or tokens.
 */
export interface ErrorSummary {
  /** The error and its causes: class name, plus a SQLSTATE / Node errno code when there is one. */
  chain: { class: string; code?: string }[];
  /** Stack frames of the outermost error ("at fn (file:line)"), without its message. */
  frames: string[];
}

// A Postgres SQLSTATE (five digits/capitals, e.g. 42P01) or a Node code (ECONNREFUSED, ERR_…).
const SAFE_CODE = /^(?:[0-9A-Z]{5}|E[A-Z0-9_]{2,40})$/;
const MAX_DEPTH = 4;
const MAX_FRAMES = 8;

const className = (value: object): string => {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,60}$/.test(name) ? name : 'Error';
};

/** Frames only: the stack's head is `String(error)` (the message, maybe multi-line), so it is cut off. */
function framesOf(error: unknown): string[] {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return [];
  const head = String(error);
  if (!error.stack.startsWith(head)) return [];
  return error.stack
    .slice(head.length)
    .split('\n')
    .filter((line) => /^\s+at \S/.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
}

/** Class names, codes and frames along the cause chain; the messages are left out on purpose. */
export function summarizeError(error: unknown): ErrorSummary {
  const chain: ErrorSummary['chain'] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    const link: ErrorSummary['chain'][number] = { class: className(current) };
    if (isAppError(current)) link.code = current.code;
    else if (typeof code === 'string' && SAFE_CODE.test(code)) link.code = code;
    chain.push(link);
    current = (current as { cause?: unknown }).cause;
  }
  if (chain.length === 0) chain.push({ class: typeof error });
  return { chain, frames: framesOf(error) };
}
