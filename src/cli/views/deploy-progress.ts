/**
 * Live progress of a deployment, as pure functions over what the API sends: the deployment JSON (its `tasks`,
 * or upstream's `builds`/`runs` maps when a server has no tasks) and the events stream. The same model renders
 * two ways: `plainLines` (no terminal: append-only lines, in plan order, each printed once its task is final)
 * and `liveLines` (`live-lines.ts`: a terminal frame redrawn with spinners, elapsed times and what each waiting
 * task waits for).
 */
import type { DeploymentJson, TaskJson } from '../api-types.js';
import type { SseEvent } from '../sse.js';

export type ProgressTaskKind = 'build' | 'deploy' | 'delete';

export interface ProgressTask {
  readonly id: string;
  readonly kind: ProgressTaskKind;
  readonly component: string;
  /** A task state (`pending`, `waiting`, `running`, `succeeded`, `failed`, `skipped`, `cancelled`). */
  readonly state: string;
  readonly reason?: string;
  /** Components this deploy waits for (its wait-for edges), shown as `(waiting for …)`. */
  readonly waitsOn: readonly string[];
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export interface DeployProgress {
  readonly tool: string;
  readonly deploymentId: string;
  /** A deployment state (`pending`, `running`, `cancelling`, `successful`, `failed`, `cancelled`, `timed_out`). */
  readonly state: string;
  readonly longStatus?: string;
  /** In plan (topological) order. */
  readonly tasks: readonly ProgressTask[];
  /** Components the plan left untouched (no task). */
  readonly unchanged: readonly string[];
  /** Seq of the last event applied (the `Last-Event-ID` to resume from). */
  readonly lastSeq?: number;
}

export type ProgressEvent =
  | {
      readonly kind: 'task';
      readonly seq?: number;
      readonly at?: string;
      readonly task: string;
      readonly state: string;
      readonly reason?: string;
    }
  | {
      readonly kind: 'deployment';
      readonly seq?: number;
      readonly at?: string;
      readonly state: string;
      readonly reason?: string;
    }
  | { readonly kind: 'end'; readonly state: string; readonly longStatus?: string };

const FINAL_TASK = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
const FINAL_DEPLOYMENT = new Set(['successful', 'failed', 'cancelled', 'timed_out', 'deleted']);
const TASK_KINDS: readonly ProgressTaskKind[] = ['build', 'deploy', 'delete'];

export const isFinalTask = (task: ProgressTask): boolean => FINAL_TASK.has(task.state);
export const isFinished = (p: DeployProgress): boolean => FINAL_DEPLOYMENT.has(p.state);

/** Exit 0 only when the deployment succeeded and every task did. */
export function deployedEverything(p: DeployProgress): boolean {
  return p.state === 'successful' && p.tasks.every((t) => t.state === 'succeeded');
}

export function startLine(tool: string, deploymentId: string): string {
  return `Starting deploy for ${tool} (deployment ${deploymentId})...`;
}

function kindOf(id: string, fallback?: string): ProgressTaskKind {
  const prefix = (fallback ?? id.split(':')[0]) as ProgressTaskKind;
  return TASK_KINDS.includes(prefix) ? prefix : 'deploy';
}

function fromTaskJson(task: TaskJson): ProgressTask {
  const waitsOn = (task.depends_on ?? [])
    .filter((d) => d.condition === 'healthy' || d.condition === 'registered')
    .map((d) => d.task.slice(d.task.indexOf(':') + 1));
  return {
    id: task.id,
    kind: kindOf(task.id, task.kind),
    component: task.component,
    state: task.state,
    ...(task.reason ? { reason: task.reason } : {}),
    waitsOn,
    ...(task.started_at ? { startedAt: task.started_at } : {}),
    ...(task.finished_at ? { finishedAt: task.finished_at } : {}),
  };
}

const UPSTREAM_BUILD_STATE: Readonly<Record<string, string>> = {
  pending: 'pending',
  running: 'running',
  unknown: 'running',
  successful: 'succeeded',
  skipped: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};
const UPSTREAM_RUN_STATE: Readonly<Record<string, string>> = {
  pending: 'pending',
  unknown: 'running',
  successful: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
};

/** An upstream server has no tasks: its builds (those really built) and runs stand in for them. */
function tasksFromUpstreamMaps(d: DeploymentJson): ProgressTask[] {
  const builds = Object.entries(d.builds ?? {})
    .filter(([, b]) => b.build_id !== 'no-build-needed')
    .map(([component, b]): ProgressTask => {
      const state = UPSTREAM_BUILD_STATE[b.build_status ?? 'unknown'] ?? 'running';
      const reason = state === 'failed' || state === 'cancelled' ? b.build_long_status : undefined;
      return {
        id: `build:${component}`,
        kind: 'build',
        component,
        state,
        ...(reason ? { reason } : {}),
        waitsOn: [],
      };
    });
  const runs = Object.entries(d.runs ?? {}).map(([component, r]): ProgressTask => {
    const state = UPSTREAM_RUN_STATE[r.run_status ?? 'unknown'] ?? 'running';
    const reason = state === 'succeeded' ? undefined : r.run_long_status;
    return {
      id: `deploy:${component}`,
      kind: 'deploy',
      component,
      state,
      ...(reason ? { reason } : {}),
      waitsOn: [],
    };
  });
  return [...builds, ...runs];
}

export function progressFromDeployment(tool: string, d: DeploymentJson, lastSeq?: number): DeployProgress {
  const tasks = d.tasks ? d.tasks.map(fromTaskJson) : tasksFromUpstreamMaps(d);
  const withTask = new Set(tasks.filter((t) => t.kind !== 'build').map((t) => t.component));
  const unchanged = d.tasks ? Object.keys(d.runs ?? {}).filter((c) => !withTask.has(c)) : [];
  return {
    tool,
    deploymentId: d.deploy_id,
    state: d.status ?? 'pending',
    ...(d.long_status ? { longStatus: d.long_status } : {}),
    tasks,
    unchanged,
    ...(lastSeq !== undefined ? { lastSeq } : {}),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One SSE message → a progress event (undefined for anything this client does not know). */
export function parseProgressEvent(message: SseEvent): ProgressEvent | undefined {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(message.data);
    if (!parsed || typeof parsed !== 'object') return undefined;
    data = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const state = str(data.state);
  if (!state) return undefined;
  if (message.event === 'end') {
    const longStatus = str(data.long_status);
    return { kind: 'end', state, ...(longStatus ? { longStatus } : {}) };
  }
  const seqValue = typeof data.seq === 'number' ? data.seq : Number(message.id);
  const common = {
    ...(Number.isFinite(seqValue) ? { seq: seqValue } : {}),
    ...(str(data.at) ? { at: str(data.at) } : {}),
    ...(str(data.reason) ? { reason: str(data.reason) } : {}),
    state,
  };
  const task = str(data.task) ?? str(data.task_id) ?? str(data.taskId);
  if ((data.type ?? message.event) === 'task' && task) return { kind: 'task', task, ...common };
  if ((data.type ?? message.event) === 'deployment') return { kind: 'deployment', ...common };
  return undefined;
}

function applyTaskEvent(task: ProgressTask, e: Extract<ProgressEvent, { kind: 'task' }>): ProgressTask {
  const started =
    !task.startedAt && (e.state === 'running' || e.state === 'waiting') && e.at ? { startedAt: e.at } : {};
  const finished = FINAL_TASK.has(e.state) && e.at ? { finishedAt: e.at } : {};
  const { reason: _old, ...rest } = task;
  return { ...rest, state: e.state, ...(e.reason ? { reason: e.reason } : {}), ...started, ...finished };
}

export function applyEvent(p: DeployProgress, e: ProgressEvent): DeployProgress {
  if (e.kind === 'end') {
    // The stream is over: the deployment is final (or gone). Keep a final state we already know.
    const state = FINAL_DEPLOYMENT.has(e.state) || !isFinished(p) ? e.state : p.state;
    return { ...p, state, ...(e.longStatus ? { longStatus: e.longStatus } : {}) };
  }
  const seq = e.seq !== undefined ? { lastSeq: e.seq } : {};
  if (e.kind === 'deployment') {
    return { ...p, state: e.state, ...(e.reason ? { longStatus: e.reason } : {}), ...seq };
  }
  const known = p.tasks.some((t) => t.id === e.task);
  const tasks = known
    ? p.tasks.map((t) => (t.id === e.task ? applyTaskEvent(t, e) : t))
    : [
        ...p.tasks,
        applyTaskEvent(
          {
            id: e.task,
            kind: kindOf(e.task),
            component: e.task.slice(e.task.indexOf(':') + 1),
            state: 'pending',
            waitsOn: [],
          },
          e,
        ),
      ];
  return { ...p, tasks, ...seq };
}

export const SECTIONS: ReadonlyArray<readonly [ProgressTaskKind, string]> = [
  ['build', 'Building images:'],
  ['deploy', 'Deploying components:'],
  ['delete', 'Removing components:'],
];

/** `dependency toolhunt-api failed` from `skipped (dependency toolhunt-api failed)` and similar. */
function skipCause(reason: string | undefined): string {
  const text = (reason ?? '')
    .replace(/^skipped\b[:\s]*/i, '')
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return text || 'dependency failed';
}

const waitSuffix = (task: ProgressTask): string =>
  task.waitsOn.length > 0 ? ` (waiting for ${task.waitsOn.join(', ')})` : '';

/** The line of a task once it is final (also the last frame on a terminal). */
export function finalTaskLine(task: ProgressTask): string {
  switch (task.state) {
    case 'succeeded':
      return `[✅] ${task.component}${waitSuffix(task)}`;
    case 'failed':
      return `[❌] ${task.component}: ${task.reason ?? 'failed'}`;
    case 'skipped':
      return `[⏭] ${task.component} (skipped: ${skipCause(task.reason)})`;
    case 'cancelled':
      return `[⏹] ${task.component} (cancelled)`;
    default:
      return `[⏹] ${task.component} (not finished: ${task.state})`;
  }
}

export function finalLine(p: DeployProgress): string {
  if (deployedEverything(p)) return 'All components deployed';
  const count = (state: string): number => p.tasks.filter((t) => t.state === state).length;
  const counts = [`${count('failed')} failed`, `${count('skipped')} skipped`];
  if (p.state === 'cancelled') return 'Deployment cancelled';
  if (p.state === 'timed_out') return 'Deployment timed out';
  if (p.state === 'deleted') return 'Deployment was deleted while running';
  return `Deployment ${p.state === 'successful' ? 'finished' : p.state}: ${counts.join(', ')}`;
}

/**
 * Append-only output for logs and CI: every line that can be printed now, in plan order (builds, then deploys,
 * then deletes). A task's line appears once it is final and every line before it was printed, so the text is
 * the same whatever order the tasks finished in. The caller prints what it has not printed yet.
 */
export function plainLines(p: DeployProgress): string[] {
  const done = isFinished(p);
  const lines: string[] = [];
  if (p.unchanged.length > 0) lines.push(`Up to date: ${p.unchanged.join(', ')}`);
  for (const [kind, title] of SECTIONS) {
    const tasks = p.tasks.filter((t) => t.kind === kind);
    for (const [i, task] of tasks.entries()) {
      if (!done && !isFinalTask(task)) return lines;
      if (i === 0) lines.push(title);
      lines.push(finalTaskLine(task));
    }
  }
  if (done) lines.push(finalLine(p));
  return lines;
}

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
