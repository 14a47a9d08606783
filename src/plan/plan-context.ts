/**
 * The working state the plan steps share while `planDeployment` runs. Each step reads what earlier steps
 * decided and adds its own part; nothing here outlives one call.
 */
import { Graph } from '../dag/graph.js';
import type { Component, ToolConfig } from '../config/tool-config.js';
import type { JobRecord, ObservedState } from '../status/observed-state.js';
import type { BuildDecision, JobDecision, PlanOptions, TaskDependency } from './plan.js';

/** Where a component's image comes from once the build decisions are made. */
export interface ImageSource {
  /** The image reference its job runs. */
  readonly image: string;
  /** True when the image is (or will be) newer than what runs: a new or followed build. */
  readonly fresh: boolean;
  /** The component owning the `build:` task that produces it, when there is one. */
  readonly buildTask?: string;
}

export interface PlanContext {
  readonly config: ToolConfig;
  readonly observed: ObservedState;
  readonly options: PlanOptions;
  readonly byName: ReadonlyMap<string, Component>;
  readonly jobs: ReadonlyMap<string, JobRecord>;
  /** Components whose build is planned (`only` plus their build parents; all when `only` is unset). */
  buildSelected: ReadonlySet<string>;
  /** Components whose job is planned (`only`; all when unset). */
  deploySelected: ReadonlySet<string>;
  readonly builds: Map<string, BuildDecision>;
  readonly buildDetails: Map<string, string>;
  readonly images: Map<string, ImageSource>;
  readonly jobDecisions: Map<string, JobDecision>;
  readonly jobReasons: Map<string, string>;
  /** Orphaned components (we deployed them, the config dropped them) that still have a job. */
  orphans: readonly string[];
  readonly warnings: Set<string>;
  /** The task DAG: vertices are task ids, edges "from before to". */
  readonly graph: Graph;
  readonly dependencies: Map<string, TaskDependency[]>;
}

export function createContext(config: ToolConfig, observed: ObservedState, options: PlanOptions): PlanContext {
  const names = config.components.map((c) => c.name);
  return {
    config,
    observed,
    options,
    byName: new Map(config.components.map((c) => [c.name, c])),
    jobs: new Map(observed.jobs.map((j) => [j.name, j])),
    buildSelected: new Set(names),
    deploySelected: new Set(names),
    builds: new Map(),
    buildDetails: new Map(),
    images: new Map(),
    jobDecisions: new Map(),
    jobReasons: new Map(),
    orphans: [],
    warnings: new Set(),
    graph: new Graph(),
    dependencies: new Map(),
  };
}

/** Adds the edge `from → to` to the task graph and records it as a dependency of `to`. */
export function addDependency(ctx: PlanContext, from: string, to: string, condition: TaskDependency['condition']): void {
  if (ctx.graph.hasEdge(from, to)) return;
  ctx.graph.addEdge(from, to);
  const list = ctx.dependencies.get(to);
  if (list) list.push({ task: from, condition });
  else ctx.dependencies.set(to, [{ task: from, condition }]);
}

export const buildTaskId = (component: string): string => `build:${component}`;
export const deployTaskId = (component: string): string => `deploy:${component}`;
export const deleteTaskId = (component: string): string => `delete:${component}`;
