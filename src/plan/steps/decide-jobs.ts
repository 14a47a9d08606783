/**
 * Job decisions: compare each selected component's desired job (config + the image decided by the build
 * step) with the live job. No job → create; differing fields → update (with the field diff); same spec but
 * a newer image, or --force-run → restart; otherwise no-op.
 *
 * A scheduled job has no restart in jobs-api: its "restart" is a re-upsert with the new image, which the
 * next run picks up (upstream never restarts scheduled jobs either).
 */
import type { JobDecision } from '../plan.js';
import { diffJob, imageDigest, jobSpecFor, toolImage } from '../job-spec.js';
import type { PlanContext } from '../plan-context.js';

export function decideJobs(ctx: PlanContext): void {
  const tool = ctx.observed.tool;
  for (const component of ctx.config.components) {
    const name = component.name;
    if (!ctx.deploySelected.has(name)) {
      ctx.jobDecisions.set(name, { kind: 'no-op' });
      const builtFor = ctx.buildSelected.has(name) ? '; only its image is built, for the selected components' : '';
      ctx.jobReasons.set(name, `not selected by --only${builtFor}`);
      continue;
    }
    const source = ctx.images.get(name) ?? { image: toolImage(tool, name), fresh: false };
    const job = ctx.jobs.get(name);
    const spec = jobSpecFor(component, source.image);
    let decision: JobDecision;
    let reason: string;
    if (!job) {
      decision = { kind: 'create' };
      reason = 'no job yet';
    } else {
      const changes = diffJob(spec, job);
      const have = imageDigest(job.image);
      const want = imageDigest(source.image);
      // A pinned digest that differs means the job still runs an older build of the same image.
      const rebuilt = source.fresh || (have !== undefined && want !== undefined && have !== want);
      if (changes.length > 0) {
        decision = { kind: 'update', changes };
        reason = `changed: ${changes.map((c) => c.field).join(', ')}`;
      } else if (ctx.options.forceRun) {
        decision = { kind: 'restart', reason: 'forced' };
        reason = 'restart forced (--force-run)';
      } else if (rebuilt) {
        decision = { kind: 'restart', reason: 'image-rebuilt' };
        reason = component.type === 'scheduled' ? 'image rebuilt: re-register with the new image' : 'image rebuilt';
      } else {
        decision = { kind: 'no-op' };
        reason = 'job matches the configuration';
      }
    }
    ctx.jobDecisions.set(name, decision);
    ctx.jobReasons.set(name, reason);
  }
}

/**
 * Orphans: components our earlier deployment deployed that the config no longer lists, and whose job still
 * exists. Deleted only with `prune` (deleting is the one thing a re-deploy cannot undo); otherwise listed and
 * left in place. Jobs we never deployed (unmanaged) are not looked at.
 */
export function decideOrphans(ctx: PlanContext): void {
  const seen = new Set<string>();
  const orphans: string[] = [];
  for (const name of ctx.observed.previouslyManaged) {
    if (seen.has(name) || ctx.byName.has(name) || !ctx.jobs.has(name)) continue;
    seen.add(name);
    if (ctx.options.only !== undefined && !ctx.deploySelected.has(name)) continue;
    orphans.push(name);
    if (ctx.options.prune) {
      ctx.jobDecisions.set(name, { kind: 'delete' });
      ctx.jobReasons.set(name, 'orphaned: no longer in the configuration');
    } else {
      ctx.jobDecisions.set(name, { kind: 'leave-orphan' });
      ctx.jobReasons.set(name, 'orphaned: no longer in the configuration (use --prune to delete it)');
      ctx.warnings.add(`orphaned job ${name} left in place (use --prune to delete it)`);
    }
  }
  ctx.orphans = orphans;
}
