/**
 * A terminal frame of a deployment's live progress (`deploy-progress.ts` is the model; `plainLines` there is the
 * append-only form): every task with its spinner or result and what it waits for, then the deployment's line.
 */
import type { Paint } from '../output.js';
import { activityText } from './activity.js';
import {
  SECTIONS,
  finalTaskLine,
  formatElapsed,
  isFinalTask,
  type DeployProgress,
  type ProgressTask,
} from './deploy-progress.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

function elapsed(task: ProgressTask, nowMs: number): string {
  const start = task.startedAt ? Date.parse(task.startedAt) : NaN;
  if (Number.isNaN(start)) return '';
  const end = task.finishedAt ? Date.parse(task.finishedAt) : nowMs;
  return formatElapsed(end - start);
}

function liveTaskLine(task: ProgressTask, nowMs: number, tick: number, paint: Paint): string {
  const time = elapsed(task, nowMs);
  const clock = time ? ` ${paint('dim', time)}` : '';
  if (isFinalTask(task)) {
    const line = finalTaskLine(task);
    const coloured = task.state === 'failed' ? paint('red', line) : line;
    return `${coloured}${clock}`;
  }
  if (task.state === 'pending') {
    const after = task.waitsOn.length > 0 ? `, after ${task.waitsOn.join(', ')}` : '';
    return paint('dim', `[·] ${task.component} (pending${after})`);
  }
  const spinner = paint('yellow', SPINNER[tick % SPINNER.length] ?? '*');
  return `[${spinner}] ${task.component} (${activityText(task)})${clock}`;
}

/** One frame for a terminal: every task with its spinner or result, then the deployment's own line. */
export function liveLines(
  p: DeployProgress,
  nowMs: number,
  tick: number,
  paint: Paint,
  startedAtMs?: number,
): string[] {
  const lines: string[] = [];
  if (p.unchanged.length > 0) lines.push(`Up to date: ${p.unchanged.join(', ')}`);
  for (const [kind, title] of SECTIONS) {
    const tasks = p.tasks.filter((t) => t.kind === kind);
    if (tasks.length > 0) lines.push(title);
    for (const task of tasks) lines.push(liveTaskLine(task, nowMs, tick, paint));
  }
  const total = startedAtMs !== undefined ? ` ${formatElapsed(nowMs - startedAtMs)}` : '';
  const finished = p.tasks.filter(isFinalTask).length;
  lines.push(paint('dim', `Deployment ${p.state} (${finished}/${p.tasks.length} tasks done)${total}`));
  return lines;
}
