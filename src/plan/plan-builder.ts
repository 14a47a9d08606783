/**
 * `planDeployment`: every decision of a deployment, made from a config and one observed snapshot. Pure and
 * synchronous (no I/O, no clock, no randomness): the same inputs give a byte-identical plan, which is what
 * lets a saved plan id be checked for staleness.
 *
 * Built as a list of named steps (Terraform's graph transformers, Compose's reconcile): each step reads what
 * the earlier ones decided and adds its own part. Read `STEPS` top to bottom for the whole algorithm.
 */
import type { Component, ToolConfig } from '../model/tool-config.js';
import type { ObservedState } from '../model/observed-state.js';
import { CycleError, topologicalIndices } from '../dag/topo.js';
import type { ComponentPlan, Plan, PlanOptions, PlanSummary, PlanTask } from '../model/plan.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';
import { createContext, isDeploySelected, type PlanContext } from './plan-context.js';
import { configDigest, planId, statusRevision } from './digest.js';
import { PlanError } from './plan-error.js';
import { selectComponents } from './steps/select-components.js';
import { decideBuilds } from './steps/decide-builds.js';
import { decideJobs, decideOrphans } from './steps/decide-jobs.js';
import { taskDetails } from './steps/task-operations.js';
import { addBuildAndDeployTasks, addDeleteTasks, addImageEdges, addWaitForEdges } from './steps/add-tasks.js';

type Step = (ctx: PlanContext) => void;

const STEPS: ReadonlyArray<readonly [string, Step]> = [
  ['select components (--only)', selectComponents],
  ['decide builds', decideBuilds],
  ['decide jobs', decideJobs],
  ['decide orphans', decideOrphans],
  ['add build and deploy tasks', addBuildAndDeployTasks],
  ['add image edges', addImageEdges],
  ['add wait-for edges', addWaitForEdges],
  ['add delete tasks', addDeleteTasks],
];

/** `known.configDigest`: `configDigest(config)`, when the caller has it already (the API caches it per body). */
export function planDeployment(
  config: ToolConfig,
  observed: ObservedState,
  options: PlanOptions,
  known: { readonly configDigest?: string } = {},
): Plan {
  const ctx = createContext(config, observed, options);
  for (const [, step] of STEPS) step(ctx);
  const components = componentPlans(ctx);
  const digest = known.configDigest ?? configDigest(config);
  const revision = statusRevision(observed);
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    id: planId(digest, revision, options),
    tool: observed.tool,
    configDigest: digest,
    statusRevision: revision,
    components,
    tasks: orderedTasks(ctx),
    warnings: [...ctx.warnings],
    summary: summarise(components),
    ...(options.rollbackTo !== undefined ? { rollbackTo: options.rollbackTo } : {}),
  };
}

function componentPlans(ctx: PlanContext): ComponentPlan[] {
  const plans: ComponentPlan[] = [];
  const components = ctx.config.components;
  for (let i = 0; i < components.length; i++) {
    const component = components[i] as Component;
    const build = ctx.builds[i];
    const image = ctx.images[i]?.image;
    const jobReason = ctx.jobReasons[i] ?? '';
    const buildDetail = ctx.buildDetails[i];
    const plan: ComponentPlan = {
      name: component.name,
      type: component.type,
      ...(build ? { build } : {}),
      job: ctx.jobDecisions[i] ?? { kind: 'no-op' },
      reason: buildDetail ? `${jobReason}; image: ${buildDetail}` : jobReason,
      waitFor: component.waitFor,
      ...(image !== undefined && isDeploySelected(ctx, component.name) ? { image } : {}),
    };
    plans.push(plan);
  }
  for (const orphan of ctx.orphans)
    plans.push({ name: orphan.name, job: orphan.job, reason: orphan.reason, waitFor: [] });
  return plans;
}

function orderedTasks(ctx: PlanContext): PlanTask[] {
  let order: number[];
  try {
    order = topologicalIndices(ctx.graph);
  } catch (error) {
    // The loader refuses cycles; a config built another way can still have one.
    if (error instanceof CycleError) throw new PlanError(error.message);
    throw error;
  }
  return order.map((index) => {
    const id = ctx.graph.idAt(index);
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon) as PlanTask['kind'];
    const component = id.slice(colon + 1);
    return {
      id,
      kind,
      component,
      dependsOn: ctx.dependencies[index] ?? [],
      ...taskDetails(ctx, kind, component),
    };
  });
}

function summarise(components: readonly ComponentPlan[]): PlanSummary {
  const summary = { toBuild: 0, toCreate: 0, toUpdate: 0, toRestart: 0, toDelete: 0, unchanged: 0 };
  let toRun = 0;
  for (const c of components) {
    if (c.build?.kind === 'build') summary.toBuild++;
    switch (c.job.kind) {
      case 'create':
        summary.toCreate++;
        break;
      case 'update':
        summary.toUpdate++;
        break;
      case 'restart':
        summary.toRestart++;
        break;
      case 'delete':
        summary.toDelete++;
        break;
      case 'run':
        toRun++;
        break;
      default:
        summary.unchanged++;
    }
  }
  // Only when there are one-offs to run: plans without any keep the summary they always had.
  return toRun > 0 ? { ...summary, toRun } : summary;
}

/** True when carrying the plan out would change anything (`--detailed-exitcode` exits 2). */
export function planHasChanges(plan: Plan): boolean {
  return plan.tasks.length > 0;
}
