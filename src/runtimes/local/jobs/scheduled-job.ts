/**
 * A scheduled job: croner fires the schedule; a tick that comes while the previous run (with its retries) is
 * still going is skipped, never overlapped. `timeout` kills a run's process group after N seconds; `retry`
 * reruns a failed run up to N times. Every run (exit code, duration, start time, log file) is persisted.
 */
import { Cron } from 'croner';
import type { JobSpec } from '../../../model/job-spec.js';
import { RuntimeError } from '../../runtime.js';
import type { JobRecord } from '../../../model/observed-state.js';
import { LogFile } from '../logs/log-file.js';
import type { PidRegistry } from '../process/pid-registry.js';
import { describeExit, spawnGroup, stopGroup, type GroupProcess } from '../process/process-group.js';
import { readJsonFile, writeJsonAtomic } from '../state/json-file.js';
import type { LocalPaths } from '../state/local-paths.js';
import type { LocalTimings } from '../timings.js';
import { specFields } from './job-record.js';

/** `deploy`: a one-off job's run, started by a deployment (one-off-job.ts). */
export const RUN_TRIGGERS = ['schedule', 'retry', 'manual', 'deploy'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const RUN_STATES = ['running', 'succeeded', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface RunRecord {
  /** `<sequence>` of the run, then `.<attempt>` for retries (e.g. `7`, `7.1`). */
  readonly id: string;
  readonly attempt: number;
  readonly trigger: RunTrigger;
  readonly state: RunState;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly timedOut: boolean;
  /** Path of this run's own log file. */
  readonly logFile: string;
}

export interface ScheduledJobOptions {
  readonly tool: string;
  readonly spec: JobSpec;
  readonly shellCommand: string;
  readonly imageDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timings: LocalTimings;
  readonly log: LogFile;
  readonly paths: LocalPaths;
  readonly registry: PidRegistry;
}

const KEEP_RUNS = 100;

/** Throws a `rejected` RuntimeError when croner cannot parse the schedule. */
export function validateSchedule(schedule: string | undefined): string {
  if (schedule === undefined || schedule.trim() === '') {
    throw new RuntimeError('rejected', 'a scheduled job needs a schedule');
  }
  try {
    new Cron(schedule, { paused: true }).stop();
  } catch (error) {
    throw new RuntimeError('rejected', `invalid schedule '${schedule}': ${(error as Error).message}`);
  }
  return schedule;
}

export class ScheduledJob {
  private cron?: Cron;
  private active?: Promise<void>;
  private current?: GroupProcess;
  private runsList: RunRecord[];
  private sequence: number;
  private stopping = false;
  skippedTicks = 0;

  constructor(private readonly options: ScheduledJobOptions) {
    this.runsList = readJsonFile<RunRecord[]>(this.runsFile, []).map((run) =>
      run.state === 'running' ? { ...run, state: 'failed', finishedAt: run.startedAt, exitCode: null } : run,
    );
    this.sequence = this.runsList.reduce((max, run) => Math.max(max, Number.parseInt(run.id, 10) || 0), 0);
  }

  get runs(): readonly RunRecord[] {
    return this.runsList;
  }

  get runningPid(): number | undefined {
    return this.current?.pid;
  }

  start(): void {
    this.stopping = false;
    const schedule = validateSchedule(this.options.spec.schedule);
    this.cron = new Cron(schedule, { catch: true }, () => void this.trigger('schedule'));
  }

  /** Runs the job now unless a run is in progress; resolves when it (and its retries) ended. false = skipped. */
  async trigger(trigger: RunTrigger = 'manual'): Promise<boolean> {
    if (this.active !== undefined || this.stopping) {
      this.skippedTicks += 1;
      this.options.log.write(
        this.options.spec.name,
        `${trigger} run skipped: the previous run is still running`,
      );
      return false;
    }
    const work = this.runWithRetries(trigger);
    this.active = work;
    try {
      await work;
    } finally {
      this.active = undefined;
    }
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cron?.stop();
    this.cron = undefined;
    if (this.current) await stopGroup(this.current, this.options.timings.stopGraceMs);
    await this.active;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  record(): JobRecord {
    const last = this.runsList.at(-1);
    const next = this.cron?.nextRun();
    const parts = [
      last
        ? `last run ${last.id} ${last.state}${last.durationMs !== undefined ? ` in ${last.durationMs} ms` : ''}`
        : 'no run yet',
      next ? `next run at ${next.toISOString()}` : undefined,
      this.skippedTicks > 0 ? `${this.skippedTicks} run(s) skipped while the previous one ran` : undefined,
    ].filter((p) => p !== undefined);
    return {
      ...specFields(this.options.spec),
      state: this.cron ? 'registered' : 'pending',
      health: 'none',
      message: parts.join('; '),
    };
  }

  private get runsFile(): string {
    return this.options.paths.runsFile(this.options.tool, this.options.spec.name);
  }

  private async runWithRetries(trigger: RunTrigger): Promise<void> {
    this.sequence += 1;
    const retries = this.options.spec.retry ?? 0;
    for (let attempt = 0; attempt <= retries && !this.stopping; attempt += 1) {
      const run = await this.runOnce(
        attempt === 0 ? `${this.sequence}` : `${this.sequence}.${attempt}`,
        attempt,
        attempt === 0 ? trigger : 'retry',
      );
      if (run.state === 'succeeded') return;
    }
  }

  private async runOnce(id: string, attempt: number, trigger: RunTrigger): Promise<RunRecord> {
    const { spec, paths, tool } = this.options;
    const label = `run-${id}`;
    const runLog = new LogFile(paths.runLog(tool, spec.name, id), 5);
    const started = Date.now();
    let run: RunRecord = {
      id,
      attempt,
      trigger,
      state: 'running',
      startedAt: new Date(started).toISOString(),
      timedOut: false,
      logFile: runLog.path,
    };
    this.put(run);
    this.options.log.write(label, `starting (${trigger}): ${this.options.shellCommand}`);
    const proc = spawnGroup(this.options.shellCommand, {
      cwd: this.options.imageDir,
      env: this.options.env,
      onLine: (line) => {
        runLog.write(label, line);
        this.options.log.write(label, line);
      },
      registry: this.options.registry,
    });
    this.current = proc;
    let timedOut = false;
    const timeoutS = spec.timeout ?? 0;
    const timer =
      timeoutS > 0
        ? setTimeout(() => {
            timedOut = true;
            this.options.log.write(label, `timed out after ${timeoutS} s: stopping it`);
            void stopGroup(proc, this.options.timings.stopGraceMs);
          }, timeoutS * 1000)
        : undefined;
    const exit = await proc.exited;
    clearTimeout(timer);
    this.current = undefined;
    const finished = Date.now();
    run = {
      ...run,
      state: exit.code === 0 && !timedOut ? 'succeeded' : 'failed',
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      exitCode: exit.code,
      signal: exit.signal,
      timedOut,
    };
    this.options.log.write(
      label,
      `finished: ${timedOut ? 'timed out, ' : ''}${describeExit(exit)} in ${run.durationMs} ms`,
    );
    await runLog.close();
    this.put(run);
    return run;
  }

  private put(run: RunRecord): void {
    const index = this.runsList.findIndex((r) => r.id === run.id);
    if (index === -1) this.runsList.push(run);
    else this.runsList[index] = run;
    if (this.runsList.length > KEEP_RUNS) this.runsList = this.runsList.slice(-KEEP_RUNS);
    writeJsonAtomic(this.runsFile, this.runsList);
  }
}
