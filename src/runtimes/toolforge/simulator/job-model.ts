/**
 * A simulated jobs-api job: the spec as jobs-api stores it (normalised units, defaults filled, which is what
 * `job_changed` compares) and a live status derived from the clock since the last create/update/restart.
 */
import { Cron } from 'croner';
import { isDeepStrictEqual } from 'node:util';
import { HARBOR } from './build-model.js';
import { cpuCores, memoryGi } from '../../../support/quantities.js';
import type { JobBehaviour } from './simulator-options.js';

export type SimJobType = 'continuous' | 'scheduled' | 'one-off';

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
  behaviour: Required<JobBehaviour>;
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
  if (spec.job_type === 'continuous') return { ...common, replicas: 1, port_protocol: 'tcp' };
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
  readonly short: 'pending' | 'running' | 'succeeded' | 'failed' | 'unknown';
  readonly messages: string[];
  readonly statusShort: string;
  readonly statusLong: string;
  readonly sinceMs: number;
}

function continuousStatus(job: SimJob, now: number): LiveStatus {
  const { startMs, healthyMs, crashLoop } = job.behaviour;
  const runningAt = job.generationMs + startMs;
  const replicas = typeof job.spec.replicas === 'number' ? job.spec.replicas : 1;
  if (now < runningAt) {
    return {
      short: 'pending',
      messages: ['scheduling'],
      statusShort: 'Not running',
      statusLong: 'Waiting for the job to start',
      sinceMs: job.generationMs,
    };
  }
  if (crashLoop) {
    return {
      short: 'failed',
      messages: ['restarting', 'CrashLoopBackOff', 'exitcode 1'],
      statusShort: 'Not running',
      statusLong: `Last exit code 1. Pod in 'Running' phase. State 'waiting'. Reason 'CrashLoopBackOff'.`,
      sinceMs: runningAt,
    };
  }
  const hasCheck = job.spec.health_check !== undefined;
  const ready = !hasCheck || now >= runningAt + healthyMs ? replicas : 0;
  return {
    short: 'running',
    messages: hasCheck ? [`${ready}/${replicas} replicas ready`] : [],
    statusShort: 'Running',
    statusLong: `Running since ${duration(now - runningAt)} ago`,
    sinceMs: runningAt,
  };
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

/** Extra per-job state the routes keep: scheduled jobs run only when restarted ("execute it right now"). */
export interface SimJobRuntime {
  lastRunRequestedMs?: number;
}

export function liveStatus(job: SimJob & SimJobRuntime, now: number): LiveStatus {
  if (job.spec.job_type === 'continuous') return continuousStatus(job, now);
  if (job.spec.job_type === 'one-off') return runStatus(job, now, true);
  return runStatus(job, now, job.lastRunRequestedMs !== undefined);
}

function nextRun(schedule: string, now: number): string | undefined {
  try {
    return new Cron(schedule, { paused: true })
      .nextRun(new Date(now))
      ?.toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  } catch {
    return undefined;
  }
}

/** The jobs-api job object (`DefinedXJob`) for list/get. */
export function jobView(
  job: SimJob & SimJobRuntime,
  now: number,
  includeUnset: boolean,
): Record<string, unknown> {
  const spec = includeUnset ? { ...defaults(job.spec), ...job.spec } : { ...job.spec };
  const type = job.spec.job_type;
  const view: Record<string, unknown> = { ...spec, image: spec.imagename, job_type: type };
  if (type === 'continuous') view.continuous = true;
  if (!includeUnset) return view;
  const live = liveStatus(job, now);
  const status: Record<string, unknown> = {
    short: live.short,
    duration: duration(now - live.sinceMs),
    up_to_date: true,
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
  };
}

export function jobLogLines(job: SimJob, now: number): string[] {
  const live = liveStatus(job, now);
  const at = new Date(job.generationMs).toISOString();
  const lines = [`${at} [${job.spec.name}] starting: ${String(job.spec.cmd ?? '')}`];
  if (live.short === 'running') lines.push(`${at} [${job.spec.name}] running`);
  if (live.short === 'failed') lines.push(`${at} [${job.spec.name}] exited with code 1`);
  return lines;
}
