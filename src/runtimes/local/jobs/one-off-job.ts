/**
 * A one-off job: one run to completion (with its `retry` attempts and its `timeout`), started by `runOnce`,
 * never by a schedule and never again by a restart of the daemon. The run machinery is the scheduled job's
 * (process group, timeout, retries, a record and a log file per attempt, persisted in the job's runs file),
 * so a one-off's runs show in `logs` and survive restarts exactly like a cron job's.
 */
import type { JobRecord, OneOffRun } from '../../../model/observed-state.js';
import { specFields } from './job-record.js';
import { ScheduledJob, type RunRecord, type ScheduledJobOptions } from './scheduled-job.js';

export class OneOffJob {
  private readonly runner: ScheduledJob;
  /** The run this object started and that has not ended yet (with its retries). */
  private active?: Promise<boolean>;

  constructor(private readonly options: ScheduledJobOptions) {
    // Never `start()`ed: that would arm a cron schedule. A run in progress when the daemon died is loaded as
    // failed (exit code unknown), which is the truth: it did not complete.
    this.runner = new ScheduledJob(options);
  }

  get runs(): readonly RunRecord[] {
    return this.runner.runs;
  }

  get runningPid(): number | undefined {
    return this.runner.runningPid;
  }

  /** Starts a run now; it goes on in the background. */
  run(): void {
    const work = this.runner.trigger('deploy');
    this.active = work;
    void work.finally(() => {
      if (this.active === work) this.active = undefined;
    });
  }

  /** Stops the run in progress, if any (the run is recorded as failed). */
  async stop(): Promise<void> {
    await this.runner.stop();
    await this.active;
  }

  /** A one-off is never restarted: it runs again only when a deployment asks (`runOnce`). */
  async restart(): Promise<void> {}

  record(): JobRecord {
    const lastRun = this.lastRun();
    const state = !lastRun
      ? 'pending'
      : lastRun.state === 'succeeded'
        ? 'completed'
        : lastRun.state === 'failed'
          ? 'failed'
          : 'running';
    return {
      ...specFields(this.options.spec),
      state,
      health: 'none',
      ...(lastRun ? { lastRun } : {}),
      message: lastRun ? describeRun(lastRun) : 'no run yet',
    };
  }

  /** The attempts of the newest run (`7`, `7.1`, `7.2`) folded into one run. */
  private lastRun(): OneOffRun | undefined {
    const runs = this.runner.runs;
    const last = runs.at(-1);
    if (!last) return undefined;
    const sequence = last.id.split('.')[0];
    const attempts = runs.filter((r) => r.id.split('.')[0] === sequence);
    const first = attempts[0] ?? last;
    // Between a failed attempt and its retry the newest record says failed: the run is still going.
    const going = this.active !== undefined || last.state === 'running';
    const state = going ? 'running' : last.state;
    return {
      state,
      startedAt: first.startedAt,
      ...(!going && last.finishedAt !== undefined ? { finishedAt: last.finishedAt } : {}),
      ...(!going && typeof last.exitCode === 'number' ? { exitCode: last.exitCode } : {}),
      ...(!going && last.timedOut ? { message: `timed out after ${this.options.spec.timeout ?? 0}s` } : {}),
      ...(!going && last.state === 'failed' && !last.timedOut && typeof last.exitCode !== 'number'
        ? { message: last.signal ? `stopped by ${last.signal}` : 'stopped before it ended' }
        : {}),
      attempts: attempts.length,
    };
  }
}

function describeRun(run: OneOffRun): string {
  const code = run.exitCode !== undefined ? ` (exit code ${run.exitCode})` : '';
  const when = run.finishedAt ?? run.startedAt ?? '';
  return `last run ${run.state}${code}${when ? ` at ${when}` : ''}`;
}
