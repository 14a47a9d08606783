/**
 * The task DAG. Vertices are inserted in config order (each component's build, then its deploy; deletes
 * last), which is the order that breaks ties when the tasks are sorted.
 *
 * Edges:
 * - `build:O → deploy:X` (completed) when X runs the image O's build task produces (X itself, a reuse-from
 *   child, or a component sharing O's build);
 * - `deploy:D → deploy:X` when X waits for D: a continuous D must be healthy, a scheduled D registered.
 *   A D without a deploy task (its job is a no-op, or it is not selected) already runs as configured, so it
 *   satisfies the wait and the edge is dropped;
 * - every other task → `delete:O`: deletes run last, once everything else has finished.
 */
import type { Component } from '../../config/tool-config.js';
import type { PlanContext } from '../plan-context.js';
import { addDependency, buildTaskId, deleteTaskId, deployTaskId } from '../plan-context.js';

function hasBuildTask(ctx: PlanContext, name: string): boolean {
  const decision = ctx.builds.get(name);
  return decision?.kind === 'build' || decision?.kind === 'follow-build';
}

function hasDeployTask(ctx: PlanContext, name: string): boolean {
  const kind = ctx.jobDecisions.get(name)?.kind;
  return kind === 'create' || kind === 'update' || kind === 'restart';
}

/**
 * `build:X` for each component that owns a new or followed build. A component that follows a build shared
 * with an earlier one has no task of its own: the owner's task follows it for both.
 */
export function addBuildAndDeployTasks(ctx: PlanContext): void {
  for (const component of ctx.config.components) {
    const name = component.name;
    if (hasBuildTask(ctx, name) && ctx.images.get(name)?.buildTask === name) ctx.graph.addVertex(buildTaskId(name));
    if (hasDeployTask(ctx, name)) ctx.graph.addVertex(deployTaskId(name));
  }
}

export function addImageEdges(ctx: PlanContext): void {
  for (const component of ctx.config.components) {
    const deploy = deployTaskId(component.name);
    if (!ctx.graph.hasVertex(deploy)) continue;
    const owner = ctx.images.get(component.name)?.buildTask;
    if (owner !== undefined && ctx.graph.hasVertex(buildTaskId(owner))) {
      addDependency(ctx, buildTaskId(owner), deploy, 'completed');
    }
  }
}

function waitCondition(dependency: Component): 'healthy' | 'registered' {
  return dependency.type === 'continuous' ? 'healthy' : 'registered';
}

export function addWaitForEdges(ctx: PlanContext): void {
  for (const component of ctx.config.components) {
    const deploy = deployTaskId(component.name);
    if (!ctx.graph.hasVertex(deploy)) continue;
    for (const name of component.waitFor) {
      const dependency = ctx.byName.get(name);
      if (!dependency || !ctx.graph.hasVertex(deployTaskId(name))) continue;
      addDependency(ctx, deployTaskId(name), deploy, waitCondition(dependency));
    }
  }
}

/** Deletes depend on every sink of the rest of the graph, which makes them wait for all other tasks. */
export function addDeleteTasks(ctx: PlanContext): void {
  const deletes = ctx.orphans.filter((name) => ctx.jobDecisions.get(name)?.kind === 'delete');
  if (deletes.length === 0) return;
  const sinks = ctx.graph.vertices().filter((_, i) => ctx.graph.successorIndices(i).length === 0);
  for (const name of deletes) {
    const task = deleteTaskId(name);
    ctx.graph.addVertex(task);
    for (const sink of sinks) addDependency(ctx, sink, task, 'completed');
  }
}
