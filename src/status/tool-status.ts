/**
 * The tool's current state mapped to its config: which jobs the config manages and whether they match, which
 * it lists but are missing, and which jobs nobody configures any more. Pure: built from an ObservedState
 * (see observe.ts for the one place that fetches it).
 *
 * Per component:
 * - `managed`: the config lists it and its job matches the config;
 * - `drifted`: the config lists it and its job differs (`drift` lists the fields). The image is not compared
 *   here: which image a job should run depends on the build decisions, which are the plan's business;
 * - `missing`: the config lists it and there is no job;
 * - `orphaned`: we deployed it earlier (`previouslyManaged`), the config no longer lists it, the job is there;
 * - `unmanaged`: a job no config mentions and we never deployed. Never touched by a plan.
 */
import type { ComponentType, ToolConfig } from '../model/tool-config.js';
import type { FieldChange } from '../model/plan.js';
import { diffJob, diffOneOff, jobSpecFor } from '../plan/job-spec.js';
import type { BuildRecord, JobRecord, ObservedState } from '../model/observed-state.js';
import type { COMPONENT_STATUSES } from '../model/wire/tool-status-json.js';

export type ComponentStatusKind = (typeof COMPONENT_STATUSES)[number];

export interface ComponentStatus {
  readonly name: string;
  readonly status: ComponentStatusKind;
  /** From the config; undefined for orphaned and unmanaged jobs. */
  readonly type?: ComponentType;
  /** The live job, when there is one. */
  readonly job?: JobRecord;
  /** `drifted` only: the differing fields (before = live, after = config). */
  readonly drift?: readonly FieldChange[];
  /** Newest build of the image this component runs (its own, or its reuse-from parent's), if any. */
  readonly latestBuild?: BuildRecord;
}

export interface ToolStatus {
  readonly tool: string;
  readonly observedAt: string;
  /** Newest first. */
  readonly builds: readonly BuildRecord[];
  /** By name. */
  readonly jobs: readonly JobRecord[];
  /** Config order, then orphaned, then unmanaged (each by name). */
  readonly components: readonly ComponentStatus[];
  readonly counts: Readonly<Record<ComponentStatusKind, number>>;
}

function byNewest(a: BuildRecord, b: BuildRecord): number {
  const sa = a.startedAt ?? '';
  const sb = b.startedAt ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export function describeToolStatus(config: ToolConfig | undefined, observed: ObservedState): ToolStatus {
  const builds = [...observed.builds].sort(byNewest);
  const jobs = [...observed.jobs].sort(byName);
  const jobsByName = new Map(jobs.map((j) => [j.name, j]));
  const newestByImage = new Map<string, BuildRecord>();
  for (const build of builds)
    if (!newestByImage.has(build.imageName)) newestByImage.set(build.imageName, build);

  const components: ComponentStatus[] = [];
  const configured = new Set<string>();
  for (const component of config?.components ?? []) {
    configured.add(component.name);
    const imageName = component.build.kind === 'reuse' ? component.build.reuseFrom : component.name;
    const latestBuild = newestByImage.get(imageName);
    const base = { name: component.name, type: component.type, ...(latestBuild ? { latestBuild } : {}) };
    const job = jobsByName.get(component.name);
    if (!job) {
      components.push({ ...base, status: 'missing' });
      continue;
    }
    const spec = jobSpecFor(component, job.image);
    const drift = component.type === 'one-off' ? diffOneOff(spec, job) : diffJob(spec, job);
    components.push(
      drift.length > 0 ? { ...base, status: 'drifted', job, drift } : { ...base, status: 'managed', job },
    );
  }
  const previouslyManaged = new Set(observed.previouslyManaged);
  const others = jobs.filter((j) => !configured.has(j.name));
  for (const job of others)
    if (previouslyManaged.has(job.name)) components.push({ name: job.name, status: 'orphaned', job });
  for (const job of others)
    if (!previouslyManaged.has(job.name)) components.push({ name: job.name, status: 'unmanaged', job });

  const counts = { managed: 0, drifted: 0, missing: 0, orphaned: 0, unmanaged: 0 };
  for (const c of components) counts[c.status]++;
  return { tool: observed.tool, observedAt: observed.observedAt, builds, jobs, components, counts };
}
