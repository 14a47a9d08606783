/**
 * What each task does, decided once here so the executor only carries it out: the full build request, the
 * full job spec (its image known now or produced by a build task of this plan), whether a restart follows an
 * unchanged upsert, the readiness condition that ends the task, and why the task exists.
 */
import type { Component } from '../../model/tool-config.js';
import type {
  BuildDecision,
  JobDecision,
  PlannedImage,
  PlanTask,
  TaskOperation,
  TaskReady,
  TaskReason,
} from '../../model/plan.js';
import { jobTemplateFor, toolImage } from '../job-spec.js';
import { buildTaskId, type PlanContext } from '../plan-context.js';
import { expectedBuildTimes } from './expected-build.js';

type TaskDetails = Pick<PlanTask, 'operation' | 'ready' | 'reason'>;

const COMPLETED: TaskReady = { kind: 'completed' };

/** The operation, readiness and reason of task `kind:component`. */
export function taskDetails(ctx: PlanContext, kind: PlanTask['kind'], component: string): TaskDetails {
  if (kind === 'delete') {
    const orphan = ctx.orphans.find((o) => o.name === component);
    return {
      operation: { kind: 'delete-job', name: component },
      ready: COMPLETED,
      reason: { code: 'delete-orphan', text: orphan?.reason ?? 'orphaned: no longer in the configuration' },
    };
  }
  const i = ctx.index.get(component);
  const c = i === undefined ? undefined : ctx.config.components[i];
  // Task ids come from the components the steps above saw: a missing one is a bug in a step, not user input.
  if (i === undefined || c === undefined) throw new Error(`plan task ${kind}:${component} has no component`);
  return kind === 'build' ? buildDetails(ctx, i, c) : deployDetails(ctx, i, c);
}

function buildDetails(ctx: PlanContext, i: number, c: Component): TaskDetails {
  const decision = ctx.builds[i];
  const text = ctx.buildDetails[i] ?? '';
  if (decision?.kind === 'follow-build') {
    return {
      operation: { kind: 'follow-build', buildId: decision.buildId },
      ready: COMPLETED,
      reason: { code: 'follow-build', text },
    };
  }
  if (decision?.kind !== 'build' || c.build.kind !== 'source')
    throw new Error(`build task of ${c.name} without a build decision`);
  const { repository, useLatestVersions, useDeprecatedVersions, envvars } = c.build;
  // The decision's ref: the config's, or the commit a rollback pins (decide-builds.ts).
  const ref = decision.ref;
  const operation: TaskOperation = {
    kind: 'start-build',
    request: {
      imageName: c.name,
      repository,
      ...(ref !== undefined ? { ref } : {}),
      useLatestVersions,
      useDeprecatedVersions,
      envvars: envvars ?? {},
    },
    ...expectedMsOf(ctx, c.name),
  };
  return { operation, ready: COMPLETED, reason: { code: buildCode(decision), text } };
}

function expectedMsOf(ctx: PlanContext, imageName: string): { readonly expectedMs?: number } {
  // One pass over the builds on the plan's first build task, not one per build task (quadratic at 100 000).
  ctx.expectedBuildMs ??= expectedBuildTimes(ctx.observed.builds);
  const ms = ctx.expectedBuildMs.get(imageName);
  return ms === undefined ? {} : { expectedMs: ms };
}

function buildCode(decision: Extract<BuildDecision, { kind: 'build' }>): TaskReason['code'] {
  switch (decision.reason) {
    case 'forced':
      return 'forced-build';
    case 'unresolved-ref':
      return 'unresolved-ref';
    case 'no-matching-build':
      return 'no-matching-build';
  }
}

function deployDetails(ctx: PlanContext, i: number, c: Component): TaskDetails {
  const source = ctx.images[i];
  const owner = source?.buildTask === undefined ? undefined : ctx.config.components[source.buildTask];
  const image: PlannedImage =
    owner !== undefined
      ? { kind: 'from-build', task: buildTaskId(owner.name) }
      : { kind: 'known', image: source?.image ?? toolImage(ctx.observed.tool, c.name) };
  const job = ctx.jobDecisions[i] ?? { kind: 'no-op' };
  if (c.type === 'one-off') {
    const attach = job.kind === 'run' && job.reason === 'still-running';
    const operation: TaskOperation = {
      kind: 'run-once',
      spec: jobTemplateFor(c),
      image,
      ...(attach ? { attach: true as const } : {}),
    };
    return { operation, ready: COMPLETED, reason: { code: 'run-once', text: ctx.jobReasons[i] ?? '' } };
  }
  // jobs-api has no restart for scheduled jobs: the re-upsert is the re-registration (upstream's rule too).
  const restart = job.kind === 'restart' && c.type === 'continuous' ? job.reason : undefined;
  const ready: TaskReady =
    c.type === 'scheduled'
      ? { kind: 'registered' }
      : { kind: 'healthy', observed: c.run.healthCheck ? 'health-check' : 'stability' };
  return {
    operation: {
      kind: 'upsert-job',
      spec: jobTemplateFor(c),
      image,
      ...(restart !== undefined ? { restart } : {}),
    },
    ready,
    reason: { code: jobCode(job), text: ctx.jobReasons[i] ?? '' },
  };
}

function jobCode(job: JobDecision): TaskReason['code'] {
  switch (job.kind) {
    case 'create':
      return 'create-job';
    case 'restart':
      return job.reason === 'forced' ? 'restart-forced' : 'restart-image-rebuilt';
    case 'run':
      return 'run-once';
    default:
      return 'update-job';
  }
}
