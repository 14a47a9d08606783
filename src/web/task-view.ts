/**
 * How a task's state reads on a page: a word and a symbol besides the colour (state is never told by colour
 * alone). Shared by the server's SVG and, through `data-*` attributes, by the client script that recolours.
 */
import type { TaskState } from '../model/deployment.js';

export const TASK_STATE_SYMBOLS: Readonly<Record<TaskState, string>> = {
  pending: '○',
  waiting: '◷',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  cancelled: '⊘',
};

export function taskStateLabel(state: string): string {
  const symbol = (TASK_STATE_SYMBOLS as Record<string, string | undefined>)[state] ?? '?';
  return `${symbol} ${state}`;
}

/** A duration as people read it: 850 ms, 12.3 s, 4 min 05 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

export function durationBetween(start: string | undefined, end: string | undefined): string {
  if (!start || !end) return '';
  return formatDuration(Date.parse(end) - Date.parse(start));
}
