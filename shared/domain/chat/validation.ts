import { AppError } from '../errors.js';

export const invalid = (path: string, message: string): AppError =>
  new AppError('validation_failed', message, { details: [{ path, message }] });

/** Clamps a requested page size into 1..max; anything that is not a finite number gets the fallback. */
export function clampLimit(requested: number | undefined, fallback: number, max: number): number {
  if (requested === undefined || !Number.isFinite(requested)) return fallback;
  return Math.min(max, Math.max(1, Math.trunc(requested)));
}
