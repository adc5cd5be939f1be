import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { AppError, dependencyUnavailable } from '../../../shared/domain/errors.js';
import { summarizeError } from '../../../shared/http/error-summary.js';

const EMAIL = 'secret.person@example.com';
const SQL = 'select "id", "password_hash" from "users" where "users"."email" = $1';

/** A pg driver error as node-postgres raises it: the message may quote a value. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** Drizzle's wrapper, whose message is "Failed query: <sql>\nparams: <values>". */
const drizzleFailure = () =>
  new DrizzleQueryError(SQL, [EMAIL], pgError('42P01', 'relation "users" does not exist'));

describe('summarizeError', () => {
  it('keeps the class names and the SQLSTATE of a drizzle failure, but no SQL, parameter or message', () => {
    const summary = summarizeError(drizzleFailure());

    expect(summary.chain).toEqual([{ class: 'DrizzleQueryError' }, { class: 'Error', code: '42P01' }]);
    const text = JSON.stringify(summary);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toMatch(/select|password_hash|Failed query|params|does not exist/i);
  });

  it('keeps stack frames but drops the multi-line message at the head of the stack', () => {
    const error = drizzleFailure();

    const { frames } = summarizeError(error);

    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/^at \S/);
    expect(frames.join('\n')).not.toContain(EMAIL);
  });

  it('drops a frame-like line smuggled into a message', () => {
    const error = new Error(`bad input\n    at ${EMAIL} (evil.js:1:1)`);

    expect(JSON.stringify(summarizeError(error))).not.toContain(EMAIL);
  });

  it('names our own error codes and Node errno codes along the cause chain', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });

    const summary = summarizeError(dependencyUnavailable('Database', refused));

    expect(summary.chain).toEqual([
      { class: 'AppError', code: 'dependency_unavailable' },
      { class: 'Error', code: 'ECONNREFUSED' },
    ]);
    expect(JSON.stringify(summary)).not.toContain('10.0.0.5');
  });

  it('never copies a code that is not a SQLSTATE or errno (it could carry data)', () => {
    const odd = Object.assign(new Error('x'), { code: `token=eyJhbGciOi.${EMAIL}` });

    expect(summarizeError(odd).chain).toEqual([{ class: 'Error' }]);
  });

  it('describes a thrown non-error by its type only', () => {
    expect(summarizeError(`password=${EMAIL}`)).toEqual({ chain: [{ class: 'string' }], frames: [] });
    expect(summarizeError(new AppError('internal_error', 'ours')).chain).toEqual([
      { class: 'AppError', code: 'internal_error' },
    ]);
  });
});
