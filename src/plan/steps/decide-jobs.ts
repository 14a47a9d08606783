/**
 * Job decisions: compare each selected component's desired job (config + the image decided by the build
 * step) with the live job. No job → create; differing fields → update (with the field diff); same spec but
 * a newer image, or --force-run → restart; otherwise no-op.
 *
 * A scheduled job has no restart in jobs-api: its "restart" is a re-upsert with the new image, which the
 * next run picks up (upstream never restarts scheduled jobs either).
 */
import type { Component } from '../../model/tool-config.js';
import type { JobRecord } from '../../model/observed-state.js';
import type { JobDecision, OneOffRunReason } from '../../model/plan.js';
import { diffJob, diffOneOff, imageDigest, jobSpecFor, toolImage } from '../job-spec.js';
import {
  isBuildSelected,
  isDeploySelected,
  type ImageSource,
  type OrphanDecision,
  type PlanContext,
} from '../plan-context.js';

export function decideJobs(ctx: PlanContext): void {
  const tool = ctx.observed.tool;
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as Component;
    const name = component.name;
    if (!isDeploySelected(ctx, name)) {
      ctx.jobDecisions[i] = { kind: 'no-op' };
      const builtFor = isBuildSelected(ctx, name)
        ? '; only its image is built, for the selected components'
        : '';
      ctx.jobReasons[i] = `not selected by --only${builtFor}`;
      continue;
    }
    const source = ctx.images[i] ?? { image: toolImage(tool, name), fresh: false };
    const job = ctx.jobs.get(name);
    const { decision, reason } =
      component.type === 'one-off'
        ? decideOneOff(ctx, component, source, job)
        : job
          ? compare(ctx, component, source, job)
          : { decision: CREATE, reason: 'no job yet' };
    ctx.jobDecisions[i] = decision;
    ctx.jobReasons[i] = reason;
  }
}

const CREATE: JobDecision = { kind: 'create' };
const NO_OP: JobDecision = { kind: 'no-op' };

function compare(
  ctx: PlanContext,
  component: Component,
  source: ImageSource,
  job: JobRecord,
): { decision: JobDecision; reason: string } {
  const changes = diffJob(jobSpecFor(component, source.image), job);
  if (changes.length > 0) {
    return {
      decision: { kind: 'update', changes },
      reason: `changed: ${changes.map((c) => c.field).join(', ')}`,
    };
  }
  if (ctx.options.forceRun)
    return { decision: { kind: 'restart', reason: 'forced' }, reason: 'restart forced (--force-run)' };
  const have = imageDigest(job.image);
  const want = imageDigest(source.image);
  // A pinned digest that differs means the job still runs an older build of the same image.
  if (source.fresh || (have !== undefined && want !== undefined && have !== want)) {
    // Not fresh: an existing build other than the running one (a rollback's pinned build), nothing rebuilt.
    const what = source.fresh ? 'image rebuilt' : 'runs another existing build of its image';
    const image = source.fresh ? 'the new image' : 'that image';
    const reason = component.type === 'scheduled' ? `${what}: re-register with ${image}` : what;
    return { decision: { kind: 'restart', reason: 'image-rebuilt' }, reason };
  }
  return { decision: NO_OP, reason: 'job matches the configuration' };
}

/**
 * A one-off runs once per change of what it runs: its spec or its image. The runtime's record of its last run
 * (the job jobs-api keeps after it ended, or the local runtime's run record) says what ran and how it ended;
 * an unchanged one that succeeded is not run again, one whose last run failed is (it never completed).
 */
function decideOneOff(
  ctx: PlanContext,
  component: Component,
  source: ImageSource,
  job: JobRecord | undefined,
): { decision: JobDecision; reason: string } {
  const run = (reason: OneOffRunReason, text: string) => ({
    decision: { kind: 'run' as const, reason },
    reason: text,
  });
  if (!job?.lastRun) return run('never-ran', 'never ran');
  const changes = diffOneOff(jobSpecFor(component, source.image), job);
  if (changes.length > 0)
    return run('changed', `changed since its last run: ${changes.map((c) => c.field).join(', ')}`);
  if (ctx.options.forceRun) return run('forced', 'run forced (--force-run)');
  const have = imageDigest(job.image);
  const want = imageDigest(source.image);
  if (source.fresh || (have !== undefined && want !== undefined && have !== want))
    return run('image-rebuilt', 'image rebuilt: run it for the new image');
  const last = job.lastRun;
  if (last.state === 'failed') {
    const code = last.exitCode !== undefined ? ` (exit code ${last.exitCode})` : '';
    return run('last-run-failed', `last run failed${code}: run it again`);
  }
  // Still going (a deployment cancelled while it ran): its dependents must still wait for its end, so it gets a
  // task that follows the run in progress; starting it again would interrupt a migration halfway.
  if (last.state !== 'succeeded')
    return run('still-running', `still ${last.state} for this image: wait for its end (not started again)`);
  const when =
    last.finishedAt !== undefined
      ? ` (exit code 0, ended ${last.finishedAt})`
      : last.startedAt !== undefined
        ? ` (exit code 0, started ${last.startedAt})`
        : '';
  return { decision: NO_OP, reason: `already ran for this image${when}` };
}

/**
 * Orphans: components our earlier deployment deployed that the config no longer lists, and whose job still
 * exists. Deleted only with `prune` (deleting is the one thing a re-deploy cannot undo); otherwise listed and
 * left in place. Jobs we never deployed (unmanaged) are not looked at.
 */
export function decideOrphans(ctx: PlanContext): void {
  const seen = new Set<string>();
  const orphans: OrphanDecision[] = [];
  for (const name of ctx.observed.previouslyManaged) {
    if (seen.has(name) || ctx.index.has(name) || !ctx.jobs.has(name)) continue;
    seen.add(name);
    if (!isDeploySelected(ctx, name)) continue;
    if (ctx.options.prune) {
      orphans.push({ name, job: { kind: 'delete' }, reason: 'orphaned: no longer in the configuration' });
    } else {
      const reason = 'orphaned: no longer in the configuration (use --prune to delete it)';
      orphans.push({ name, job: { kind: 'leave-orphan' }, reason });
      ctx.warnings.add(`orphaned job ${name} left in place (use --prune to delete it)`);
    }
  }
  ctx.orphans = orphans;
}
