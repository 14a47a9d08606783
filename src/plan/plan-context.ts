/**
 * The working state the plan steps share while `planDeployment` runs. Each step reads what earlier steps
 * decided and adds its own part; nothing here outlives one call.
 *
 * Per-component decisions live in arrays indexed by the component's position in the config (`index`), not
 * in maps keyed by name: planning is a handful of lookups per component, and on 100 000 components map
 * operations were most of the cost.
 */
import { Graph } from '../dag/graph.js';
import type { ToolConfig } from '../model/tool-config.js';
import type { JobRecord, ObservedState } from '../model/observed-state.js';
import type { BuildDecision, JobDecision, PlanOptions, TaskDependency } from '../model/plan.js';

/** Where a component's image comes from once the build decisions are made. */
export interface ImageSource {
  /** The image reference its job runs. */
  readonly image: string;
  /** True when the image is (or will be) newer than what runs: a new or followed build. */
  readonly fresh: boolean;
  /** Index of the component owning the `build:` task that produces it, when there is one. */
  readonly buildTask?: number;
}

export interface OrphanDecision {
  readonly name: string;
  readonly job: JobDecision;
  readonly reason: string;
}

export interface PlanContext {
  readonly config: ToolConfig;
  readonly observed: ObservedState;
  readonly options: PlanOptions;
  /** Component name → position in `config.components`. */
  readonly index: ReadonlyMap<string, number>;
  readonly jobs: ReadonlyMap<string, JobRecord>;
  /** Only with `only`: components whose build is planned (the named ones and their build parents). */
  buildSelected?: ReadonlySet<string>;
  /** Only with `only`: components (and orphans) whose job is planned. */
  deploySelected?: ReadonlySet<string>;
  readonly builds: (BuildDecision | undefined)[];
  readonly buildDetails: (string | undefined)[];
  readonly images: (ImageSource | undefined)[];
  readonly jobDecisions: JobDecision[];
  readonly jobReasons: string[];
  /** Image name → how long its next build should take (steps/expected-build.ts), made on first use. */
  expectedBuildMs?: ReadonlyMap<string, number>;
  /** Orphaned components (we deployed them, the config dropped them) that still have a job. */
  orphans: readonly OrphanDecision[];
  readonly warnings: Set<string>;
  /** The task DAG: vertices are task ids, edges "from before to". */
  readonly graph: Graph;
  /** Vertex index of each component's `build:` / `deploy:` task, -1 when it has none. */
  readonly buildVertex: Int32Array;
  readonly deployVertex: Int32Array;
  /** Dependencies of each task, by vertex index, in the order the edges were added. */
  readonly dependencies: TaskDependency[][];
}

export function createContext(
  config: ToolConfig,
  observed: ObservedState,
  options: PlanOptions,
): PlanContext {
  const n = config.components.length;
  const index = new Map<string, number>();
  config.components.forEach((c, i) => index.set(c.name, i));
  return {
    config,
    observed,
    options,
    index,
    jobs: new Map(observed.jobs.map((j) => [j.name, j])),
    builds: new Array<BuildDecision | undefined>(n).fill(undefined),
    buildDetails: new Array<string | undefined>(n).fill(undefined),
    images: new Array<ImageSource | undefined>(n).fill(undefined),
    jobDecisions: [],
    jobReasons: [],
    orphans: [],
    warnings: new Set(),
    graph: new Graph(),
    buildVertex: new Int32Array(n).fill(-1),
    deployVertex: new Int32Array(n).fill(-1),
    dependencies: [],
  };
}

export function isBuildSelected(ctx: PlanContext, name: string): boolean {
  return ctx.buildSelected === undefined || ctx.buildSelected.has(name);
}

export function isDeploySelected(ctx: PlanContext, name: string): boolean {
  return ctx.deploySelected === undefined || ctx.deploySelected.has(name);
}

/** Adds a task vertex; returns its index. */
export function addTask(ctx: PlanContext, id: string): number {
  ctx.graph.addVertex(id);
  const index = ctx.graph.indexOf(id);
  ctx.dependencies[index] ??= [];
  return index;
}

/** Adds the edge `from → to` (vertex indices) to the task graph and records it as a dependency of `to`. */
export function addDependency(
  ctx: PlanContext,
  from: number,
  to: number,
  condition: TaskDependency['condition'],
): void {
  if (!ctx.graph.addEdgeByIndex(from, to)) return;
  (ctx.dependencies[to] as TaskDependency[]).push({ task: ctx.graph.idAt(from), condition });
}

export const buildTaskId = (component: string): string => `build:${component}`;
export const deployTaskId = (component: string): string => `deploy:${component}`;
export const deleteTaskId = (component: string): string => `delete:${component}`;
