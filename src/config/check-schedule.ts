/**
 * Cron schedules as jobs-api (a Kubernetes CronJob) takes them: five fields, or one of the `@daily`-style
 * macros. Upstream does not check them at all and only fails at run time; we check them with croner when the
 * config is loaded, after ruling out what croner accepts but Kubernetes does not (a seconds field, `@reboot`,
 * and croner's `L`, `W` and `#` extensions).
 */
import { Cron } from 'croner';

export const SCHEDULE_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'] as const;

const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const MONTHS = new Set(['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']);
const DAYS = new Set(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']);

export type ScheduleCheck =
  { readonly ok: true; readonly neverRuns: boolean } | { readonly ok: false; readonly reason: string };

// Configs repeat the same few schedules; croner's parse is the costly part.
const cache = new Map<string, ScheduleCheck>();

export function checkSchedule(schedule: string): ScheduleCheck {
  let result = cache.get(schedule);
  if (!result) {
    result = check(schedule.trim());
    if (cache.size > 10_000) cache.clear();
    cache.set(schedule, result);
  }
  return result;
}

function check(schedule: string): ScheduleCheck {
  if (schedule.startsWith('@')) {
    if ((SCHEDULE_MACROS as readonly string[]).includes(schedule.toLowerCase()))
      return { ok: true, neverRuns: false };
    return { ok: false, reason: `unsupported macro "${schedule}": use one of ${SCHEDULE_MACROS.join(', ')}` };
  }
  const fields = schedule.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    const seconds = fields.length === 6 ? ' (a seconds field is not supported)' : '';
    return {
      ok: false,
      reason: `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}${seconds}`,
    };
  }
  const extension = fields.map(unsupportedSyntax).find((reason) => reason !== undefined);
  if (extension) return { ok: false, reason: extension };
  try {
    const cron = new Cron(schedule, { paused: true });
    const next = cron.nextRun();
    cron.stop();
    return { ok: true, neverRuns: next === null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: message.replace(/^CronPattern: /, '') };
  }
}

/** Names are allowed only in the month and day-of-week fields; nothing but digits, names and `* ? , - /`. */
function unsupportedSyntax(field: string, position: number): string | undefined {
  const fieldName = FIELD_NAMES[position] ?? 'field';
  const bad = /[^0-9A-Za-z*?,/-]/.exec(field);
  if (bad) return `"${bad[0]}" is not supported in the ${fieldName} field`;
  const names = position === 3 ? MONTHS : position === 4 ? DAYS : undefined;
  for (const word of field.match(/[A-Za-z]+/g) ?? []) {
    if (!names?.has(word.toUpperCase())) return `"${word}" is not supported in the ${fieldName} field`;
  }
  return undefined;
}
