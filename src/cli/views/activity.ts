/**
 * What each task is doing, one line per change, for output that is not a terminal (CI logs, `deploy > out`):
 * `toolhunt-api: waiting for health (0/1 ready: connection refused on 127.0.0.1:8000)`. The result lines of
 * `plainLines` stay as they are (a script or a test may read them); these lines go beside them, as soon as the
 * server reports a change, so a log shows where the time goes. A task that stays in one state is reminded of
 * at a steady interval (`toolhunt-api: 1m30s, still waiting for health (…)`).
 */
import { formatElapsed, isFinalTask, type DeployProgress, type ProgressTask } from './deploy-progress.js';

/** `waiting for X to be healthy: 0/1 replicas healthy: connection refused…` → `waiting for health (0/1 ready: …)`. */
export function readinessText(reason: string): string | undefined {
  const match = /^waiting for \S+ to be (healthy|registered): (.*)$/s.exec(reason);
  if (!match) return undefined;
  const [, condition, detail = ''] = match;
  const replicas = /^(\d+)\/(\d+) replicas healthy(?:: (.*))?$/s.exec(detail);
  if (replicas) {
    const why = replicas[3] ? `: ${replicas[3]}` : '';
    return `waiting for health (${replicas[1]}/${replicas[2]} ready${why})`;
  }
  // The executor's first look comes before the runtime's first report: nothing to say yet but that it starts.
  const said = detail === 'no status yet' ? 'starting' : detail;
  return condition === 'healthy' ? `waiting to be ready (${said})` : `waiting to be registered (${said})`;
}

/** Only the first line: a reason may carry log lines, which the result line and `logs` show. */
function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

function buildText(task: ProgressTask): string {
  const reason = task.reason ?? '';
  switch (task.state) {
    case 'pending':
      return 'queued';
    case 'waiting':
    case 'running':
      if (reason === '' || reason === 'starting build') return 'building';
      return firstLine(reason).replace(
        /^building \((?:re-attached to )?build (\S+)\)$/,
        'building, build $1',
      );
    case 'succeeded':
      return reason.startsWith('built') ? 'built' : 'image ready';
    case 'failed':
      return `build failed (its log: toolforge-components logs ${task.component} --build)`;
    default:
      return task.state;
  }
}

function deployText(task: ProgressTask): string {
  const reason = task.reason ?? '';
  const verb = task.kind === 'delete' ? 'deleting' : 'deploying';
  switch (task.state) {
    case 'pending':
      return task.waitsOn.length > 0 ? `pending (after ${task.waitsOn.join(', ')})` : 'pending';
    case 'waiting':
      if (reason.startsWith('waiting')) return firstLine(reason);
      return task.waitsOn.length > 0 ? `waiting for ${task.waitsOn.join(', ')}` : 'waiting';
    case 'running': {
      const readiness = readinessText(reason);
      if (readiness) return firstLine(readiness);
      if (/^(deploying|deleting) job /.test(reason) || reason === '') return verb;
      if (/^(created or updated|restarted) job |is already up to date/.test(reason))
        return 'deployed, checking readiness';
      return firstLine(reason);
    }
    case 'succeeded':
      // A one-off component's task is its run: it did not deploy anything, it ran to completion.
      if (/ completed \(exit code 0\)$/.test(reason)) return 'ran to completion (exit code 0)';
      return task.kind === 'delete' ? 'deleted' : 'deployed';
    case 'failed':
      return task.kind === 'delete'
        ? 'delete failed'
        : `failed (its log: toolforge-components logs ${task.component})`;
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
    default:
      return task.state;
  }
}

/** The activity of one task, in a few words (no component name). */
export function activityText(task: ProgressTask): string {
  return task.kind === 'build' ? buildText(task) : deployText(task);
}

interface Seen {
  readonly text: string;
  readonly since: number;
  remindedAt: number;
}

/**
 * Remembers what was last said of each task, to print only changes, and when, to remind of long waits. The
 * lines name the component; a build line says `(build)` so it is not read as the component's deploy.
 */
export class ActivityLog {
  readonly #seen = new Map<string, Seen>();

  /** Lines for the tasks whose activity changed since the last call (pending tasks are not announced). */
  changes(progress: DeployProgress, now: number): string[] {
    const lines: string[] = [];
    for (const task of progress.tasks) {
      const text = activityText(task);
      const previous = this.#seen.get(task.id);
      if (previous?.text === text) continue;
      this.#seen.set(task.id, { text, since: now, remindedAt: now });
      if (task.state === 'pending' && previous === undefined) continue;
      lines.push(`${label(task)}: ${text}`);
    }
    return lines;
  }

  /** For every task still active whose line is older than `intervalMs` (and not reminded since): a reminder. */
  reminders(progress: DeployProgress, now: number, intervalMs: number): string[] {
    const lines: string[] = [];
    for (const task of progress.tasks) {
      if (isFinalTask(task) || task.state === 'pending') continue;
      const seen = this.#seen.get(task.id);
      if (!seen || now - seen.remindedAt < intervalMs) continue;
      seen.remindedAt = now;
      lines.push(`${label(task)}: ${formatElapsed(now - seen.since)}, still ${seen.text}`);
    }
    return lines;
  }
}

function label(task: ProgressTask): string {
  return task.kind === 'build' ? `${task.component} (build)` : task.component;
}
