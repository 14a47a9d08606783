/**
 * Durations as people write them (`30s`, `10m`, `1h30m`; a bare number is seconds, as the API's `wait` is),
 * parsed by parse-duration. Shared by the CLI (`deploy --timeout`) and the API (`?timeout=`), so both accept
 * and refuse the same texts with the same message.
 */
import parse from 'parse-duration';
import { UserError } from './errors.js';

export class InvalidDurationError extends UserError {
  constructor(what: string, text: string, reason: string) {
    super('CMP_ERR_INVALID_DURATION', `Invalid ${what} "${text}": ${reason} (e.g. 30s, 10m, 1h30m)`, {
      status: 422,
    });
    this.name = 'InvalidDurationError';
  }
}

/** The longest deadline accepted: a day (beyond that a deployment is stuck, not slow). */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** Milliseconds, at least one second and at most a day; `what` names the option in the error. */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : parse(trimmed);
  if (ms === null || ms === undefined || !Number.isFinite(ms))
    throw new InvalidDurationError(what, text, 'not a duration');
  if (ms < 1000) throw new InvalidDurationError(what, text, 'at least 1s');
  if (ms > MAX_DURATION_MS) throw new InvalidDurationError(what, text, 'at most 24h');
  return Math.round(ms);
}
