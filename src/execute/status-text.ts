/**
 * The human texts of deployments and tasks. Where upstream's deploy task has a text for the same situation it is
 * kept word for word (docs/upstream-compat.md#deployments), so people and scripts used to upstream read the same words.
 */
import type { BuildQuota, JobChange } from '../runtimes/runtime.js';
import type { DeploymentTask } from '../model/deployment.js';

export const CANCELLED_TASK = 'The deployment was cancelled';
export const CANCELLED_DEPLOYMENT = 'Deployment was cancelled';

/** `waiting for a build slot (8/8 in use)`: the quota's numbers when they are known. */
export function waitingForSlotText(quota: BuildQuota | undefined): string {
  if (quota?.limit !== undefined) return `waiting for a build slot (${quota.used}/${quota.limit} in use)`;
  return 'waiting for a build slot';
}

/** Python's `str()` of an aware UTC datetime, as upstream prints it: `2025-01-01 12:00:00.123000+00:00`. */
export function pythonUtc(date: Date): string {
  const iso = date.toISOString(); // 2025-01-01T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000+00:00`;
}

export const startedText = (at: Date): string => `Started at ${pythonUtc(at)}`;
export const finishedText = (at: Date): string => `Finished at ${pythonUtc(at)}`;

/** `10m`, `1m30s`, `45s`, `250ms`: short durations for reasons. */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', rest ? `${rest}s` : ''].join('') || '0s';
}

/** Upstream's `H:MM:SS.ffffff` (Python's timedelta). */
export function pythonTimedelta(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const micros = Math.round((ms % 1000) * 1000);
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(micros).padStart(6, '0')}`;
}

/** Upstream's run long status: `created or updated job c, [info](m1, m2)`. */
export function runLongStatus(component: string, change: JobChange, restarted: boolean): string {
  const head = change.changed
    ? `created or updated job ${component}`
    : restarted
      ? `restarted job ${component}`
      : `job ${component} is already up to date`;
  const parts = [head];
  for (const level of ['info', 'warning', 'error'] as const) {
    const messages = change.messages[level];
    if (messages.length > 0) parts.push(`[${level}](${messages.join(', ')})`);
  }
  return parts.join(', ');
}

export function buildFailedText(component: string, buildId: string, message: string | undefined): string {
  const detail = message ? `: ${message}` : '';
  return `Build failed, you can check the build logs for more info: ${component}(id:${buildId})${detail}`;
}

/**
 * Per-component summary of a finished deployment for its long status: the failures with their reasons (the
 * root causes), then what was skipped and why, then what was deployed.
 */
export function failureSummary(tasks: readonly DeploymentTask[], at: Date): string {
  const failed = tasks.filter((t) => t.state === 'failed').map((t) => `${label(t)}: ${t.reason ?? 'failed'}`);
  const skipped = tasks
    .filter((t) => t.state === 'skipped' || t.state === 'cancelled')
    .map((t) => `${label(t)} (${t.reason ?? t.state})`);
  const deployed = tasks.filter((t) => t.state === 'succeeded' && t.kind !== 'build').map((t) => t.component);
  const parts = [`Failed at ${pythonUtc(at)}: ${failed.join('; ')}`];
  if (skipped.length > 0) parts.push(`skipped: ${skipped.join(', ')}`);
  parts.push(`deployed: ${deployed.length > 0 ? deployed.join(', ') : 'none'}`);
  return parts.join('. ');
}

function label(task: DeploymentTask): string {
  return task.kind === 'deploy' ? task.component : `${task.component} (${task.kind})`;
}
