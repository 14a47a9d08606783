/**
 * A simulated jobs-api job: the spec as jobs-api stores it (normalised units, defaults filled, which is what
 * `job_changed` compares) and a live status derived from the clock since the last create/update/restart.
 */
import { Cron } from 'croner';
import { isDeepStrictEqual } from 'node:util';
import { HARBOR } from './build-model.js';
import { cpuCores, memoryGi } from '../support/quantities.js';
import type { ResolvedJobBehaviour } from './simulator-options.js';
import type {
  DefinedJobT,
  JobStatusT,
  StatusShortT,
  WireJobType,
} from '../runtimes/toolforge/wire/jobs-api.js';

export type SimJobType = WireJobType;

/** The user-set fields, normalised (`256Mi` → `0.25Gi`, `500m` → `0.5`, registry host dropped). */
export type SimJobSpec = Readonly<Record<string, unknown>> & {
  readonly name: string;
  readonly job_type: SimJobType;
};

export interface SimJob {
  readonly tool: string;
  spec: SimJobSpec;
  /** Start of the current generation (create, changing update, restart). */
  generationMs: number;
  behaviour: ResolvedJobBehaviour;
}

/** As jobs-api stores memory: Gi, without a trailing `.0` (`256Mi` → `0.25Gi`, `1024Mi` → `1Gi`). */
export function normaliseMemory(text: string): string {
  const gi = memoryGi(text);
  return gi === undefined ? text : `${gi}Gi`;
}

/** As jobs-api stores cpu: Python's str(float) of the cores (`500m` → `0.5`, `1` → `1.0`). */
export function normaliseCpu(text: string): string {
  const cores = cpuCores(text);
  if (cores === undefined) return text;
  return Number.isInteger(cores) ? `${cores}.0` : String(cores);
}

/** jobs-api reports build-service images without the registry host. */
export function normaliseImage(image: string): string {
  return image.startsWith(`${HARBOR}/`) ? image.slice(HARBOR.length + 1) : image;
}

function isBuildServiceImage(image: string): boolean {
  return image.includes('/');
}

/** Defaults jobs-api fills in (visible with include_unset=true, and equal to leaving the field unset). */
export function defaults(spec: SimJobSpec): Record<string, unknown> {
  const image = String(spec.imagename ?? '');
  const common = {
    filelog: false,
    filelog_stdout: null,
    filelog_stderr: null,
    emails: 'none',
    mount: isBuildServiceImage(image) ? 'none' : 'all',
    memory: '0.5Gi',
    cpu: '0.5',
  };
  if (spec.job_type === 'continuous') return { ...common, replicas: 1, port_protocol: 'tcp', publish: false };
  if (spec.job_type === 'scheduled') return { ...common, retry: 0, timeout: 0 };
  return { ...common, retry: 0 };
}

/** Request body (already validated) → stored spec. */
export function specFromRequest(body: Record<string, unknown>, type: SimJobType): SimJobSpec {
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined || key === 'continuous' || key === 'job_type') continue;
    spec[key] = value;
  }
  if (typeof spec.memory === 'string') spec.memory = normaliseMemory(spec.memory);
  if (typeof spec.cpu === 'string') spec.cpu = normaliseCpu(spec.cpu);
  if (typeof spec.imagename === 'string') spec.imagename = normaliseImage(spec.imagename);
  return { ...spec, name: String(body.name), job_type: type };
}

/** jobs-api's `job_changed`: does the new spec differ from the stored one, defaults included? */
export function specChanged(stored: SimJobSpec, next: SimJobSpec): boolean {
  return !isDeepStrictEqual({ ...defaults(stored), ...stored }, { ...defaults(next), ...next });
}

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s % 60}s`;
}

interface LiveStatus {
  readonly short: StatusShortT;
  readonly messages: string[];
  readonly statusShort: string;
  readonly statusLong: string;
  readonly sinceMs: number;
}

/** Where a continuous job's container is in its life: coming up, running, or waiting to be restarted. */
type Container =
  | { readonly phase: 'pending' | 'running'; readonly sinceMs: number }
  | {
      readonly phase: 'waiting';
      readonly sinceMs: number;
      readonly restarts: number;
      readonly exitCode: number;
    };

/** Longest restart back-off, as a multiple of the first (Kubernetes: 10 s doubling up to 5 min). */
const MAX_BACKOFF_FACTOR = 30;

/**
 * The container's phase at `now`, from the behaviour alone: it runs `startMs` after the generation began;
 * a crash-looping one exits at once, a never-healthy one (with a health check) is killed when its startup
 * probe gives up; each exit is followed by a back-off that doubles per restart before it runs again.
 */
function containerAt(job: SimJob, now: number): Container {
  const { startMs, crashLoop, crashAfterMs, neverHealthy, backoffMs, startupProbeMs } = job.behaviour;
  let runningAt = job.generationMs + startMs;
  if (now < runningAt) return { phase: 'pending', sinceMs: job.generationMs };
  const crashes = crashLoop || crashAfterMs !== undefined;
  const dies = crashes || (neverHealthy && job.spec.health_check !== undefined);
  if (!dies) return { phase: 'running', sinceMs: runningAt };
  // A crash exits with the app's code 1; a startup probe giving up kills the container (137).
  const runsMs = crashes ? (crashLoop ? 0 : (crashAfterMs ?? 0)) : startupProbeMs;
  const exitCode = crashes ? 1 : 137;
  const maxBackoff = Math.max(1, backoffMs * MAX_BACKOFF_FACTOR);
  for (let restarts = 1; ; restarts++) {
    const exitAt = runningAt + runsMs;
    if (now < exitAt) return { phase: 'running', sinceMs: runningAt };
    const backoff = Math.min(maxBackoff, Math.max(1, backoffMs * 2 ** (restarts - 1)));
    if (backoff >= maxBackoff) {
      // From here every cycle is alike: count the whole ones at once instead of looping through them.
      const period = runsMs + maxBackoff;
      const cycles = Math.floor((now - exitAt) / period);
      const exit = exitAt + cycles * period;
      const into = now - exit;
      if (into < maxBackoff)
        return { phase: 'waiting', sinceMs: exit, restarts: restarts + cycles, exitCode };
      return { phase: 'running', sinceMs: exit + maxBackoff };
    }
    if (now < exitAt + backoff) return { phase: 'waiting', sinceMs: exitAt, restarts, exitCode };
    runningAt = exitAt + backoff;
  }
}

/** A time as jobs-api writes it in `status_long`: ISO 8601 to the second. */
const jobsApiTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A pod running since `sinceMs`, as jobs-api reports it for a continuous job and a one-off run alike. */
function podRunning(sinceMs: number): LiveStatus {
  const at = jobsApiTime(sinceMs);
  return {
    short: 'running',
    messages: [],
    statusShort: 'Running',
    statusLong: `Last run at ${at}. Pod in 'Running' phase. State 'running'. Started at '${at}'.`,
    sinceMs,
  };
}

/** jobs-api's status of a continuous job: no readiness, whatever its health check answers. */
function continuousStatus(job: SimJob, now: number): LiveStatus {
  const container = containerAt(job, now);
  if (container.phase === 'pending') {
    const initializing = now >= job.generationMs + job.behaviour.startMs / 2;
    return {
      short: 'pending',
      messages: [initializing ? 'initializing' : 'scheduling'],
      statusShort: 'Not running',
      statusLong: `Run not attempted yet. Pod in 'Pending' phase.`,
      sinceMs: container.sinceMs,
    };
  }
  if (container.phase === 'waiting') {
    return {
      short: 'pending',
      messages: [`restarted (${container.restarts})`, `exitcode ${container.exitCode}`],
      statusShort: 'Running',
      statusLong:
        `Last run at ${jobsApiTime(container.sinceMs)}. Pod in 'Running' phase. Pod has been restarted ` +
        `${container.restarts} times. State 'waiting'. Reason 'CrashLoopBackOff'.`,
      sinceMs: container.sinceMs,
    };
  }
  return podRunning(container.sinceMs);
}

function runStatus(job: SimJob, now: number, restarted: boolean): LiveStatus {
  const endsAt = job.generationMs + job.behaviour.startMs;
  if (!restarted) {
    return {
      short: 'pending',
      messages: [],
      statusShort: 'Waiting for schedule',
      statusLong: 'Waiting for the next scheduled run',
      sinceMs: job.generationMs,
    };
  }
  if (now < endsAt) {
    return {
      short: 'running',
      messages: [],
      statusShort: 'Running',
      statusLong: 'Running',
      sinceMs: job.generationMs,
    };
  }
  const failed = job.behaviour.crashLoop;
  return {
    short: failed ? 'failed' : 'succeeded',
    messages: failed ? ['exitcode 1'] : [],
    statusShort: failed ? 'Failed' : 'Completed',
    statusLong: failed ? 'Last run failed with exit code 1' : 'Last run completed',
    sinceMs: endsAt,
  };
}

/** Extra per-job state the routes keep. */
export interface SimJobRuntime {
  /** Scheduled jobs run only when restarted ("execute it right now"). */
  lastRunRequestedMs?: number;
  /**
   * Someone changed the job in Kubernetes behind jobs-api's back (tests set it): reported as
   * `status.up_to_date: false` until the next upsert re-applies the job.
   */
  tampered?: boolean;
}

/**
 * A one-off job's single run, as jobs-api reports its Kubernetes Job (real payload j08): running from its
 * creation, then `succeeded` or `failed` with the pod's exit code in `status_long` and `exitcode <n>` in
 * `status.messages`. It never runs again: re-running one is deleting and creating it (jobs-api's PATCH of an
 * unchanged one-off job answers `job_changed: false` and does nothing).
 */
function oneOffStatus(job: SimJob, now: number): LiveStatus {
  const { startMs, neverEnds, exitCode, crashLoop } = job.behaviour;
  const endsAt = job.generationMs + startMs;
  if (neverEnds || now < endsAt) return podRunning(job.generationMs);
  const code = exitCode ?? (crashLoop ? 1 : 0);
  const ok = code === 0;
  return {
    short: ok ? 'succeeded' : 'failed',
    messages: ok ? [] : [`exitcode ${code}`],
    statusShort: ok ? 'Completed' : 'Failed',
    statusLong:
      `Last run at ${jobsApiTime(job.generationMs)}. Pod in '${ok ? 'Succeeded' : 'Failed'}' phase. State 'terminated'. ` +
      `Reason '${ok ? 'Completed' : 'Error'}'. Exit code '${code}'.`,
    sinceMs: endsAt,
  };
}

export function liveStatus(job: SimJob & SimJobRuntime, now: number): LiveStatus {
  if (job.spec.job_type === 'continuous') return continuousStatus(job, now);
  if (job.spec.job_type === 'one-off') return oneOffStatus(job, now);
  return runStatus(job, now, job.lastRunRequestedMs !== undefined);
}

function nextRun(schedule: string, now: number): string | undefined {
  try {
    const next = new Cron(schedule, { paused: true }).nextRun(new Date(now));
    return next ? jobsApiTime(next.getTime()) : undefined;
  } catch {
    return undefined;
  }
}

/** The jobs-api job object (`DefinedXJob`) for list/get. */
export function jobView(job: SimJob & SimJobRuntime, now: number, includeUnset: boolean): DefinedJobT {
  const spec = includeUnset ? { ...defaults(job.spec), ...job.spec } : { ...job.spec };
  const type = job.spec.job_type;
  const view: Record<string, unknown> = { ...spec, image: spec.imagename, job_type: type };
  if (type === 'continuous') view.continuous = true;
  if (!includeUnset) return view as DefinedJobT;
  const live = liveStatus(job, now);
  const status: JobStatusT = {
    short: live.short,
    duration: duration(now - live.sinceMs),
    up_to_date: job.tampered !== true,
    messages: live.messages,
  };
  if (type === 'scheduled' && typeof spec.schedule === 'string') {
    const next = nextRun(spec.schedule, now);
    if (next) status.next_schedule = next;
    if (job.lastRunRequestedMs !== undefined)
      status.previous_schedule = new Date(job.lastRunRequestedMs).toISOString();
    view.schedule_actual = spec.schedule;
  }
  return {
    ...view,
    image_state: 'stable',
    status_short: live.statusShort,
    status_long: live.statusLong,
    status,
  } as DefinedJobT;
}

export function jobLogLines(job: SimJob, now: number): string[] {
  const live = liveStatus(job, now);
  const at = new Date(job.generationMs).toISOString();
  const lines = [`${at} [${job.spec.name}] starting: ${String(job.spec.cmd ?? '')}`];
  if (live.short === 'running') lines.push(`${at} [${job.spec.name}] running`);
  if (live.short === 'failed') {
    const code = /^exitcode (\d+)$/.exec(live.messages[0] ?? '')?.[1] ?? '1';
    lines.push(`${at} [${job.spec.name}] exited with code ${code}`);
  }
  if (live.short === 'succeeded' && job.spec.job_type === 'one-off')
    lines.push(`${at} [${job.spec.name}] exited with code 0`);
  return lines;
}
