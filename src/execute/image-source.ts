/**
 * Which image a component's job runs: its own build's, a shared build's, its `reuse-from` parent's, or the
 * existing build the plan chose to reuse. `rebuilt` says whether that image was (re)built by this deployment,
 * which is upstream's `needs_rerun` rule: a job whose spec did not change still restarts onto a fresh image.
 */
import type { BuildDecision, ComponentPlan, Plan } from '../plan/plan.js';
import type { RuntimeSnapshot } from '../runtimes/runtime.js';
import type { DeploymentTask } from './deployment.js';

export type ImageLookup =
  | { readonly ok: true; readonly image: string; readonly rebuilt: boolean }
  | { readonly ok: false; readonly reason: string };

export function imageFor(
  component: string,
  plan: Plan,
  tasks: ReadonlyMap<string, DeploymentTask>,
  snapshot: RuntimeSnapshot | undefined,
  seen: ReadonlySet<string> = new Set(),
): ImageLookup {
  const entry = plan.components.find((c) => c.name === component);
  const decision: BuildDecision | undefined = entry?.build;
  if (!entry || !decision) return { ok: false, reason: `no build decision for ${component}` };
  if (seen.has(component)) return { ok: false, reason: `image of ${component} depends on itself` };
  const next = new Set(seen).add(component);
  switch (decision.kind) {
    case 'build':
    case 'follow-build':
      return fromBuildTask(component, entry, tasks, snapshot);
    case 'reuse-build': {
      const image = decision.image ?? snapshot?.builds.find((b) => b.id === decision.buildId)?.image;
      return image
        ? { ok: true, image, rebuilt: false }
        : { ok: false, reason: `build ${decision.buildId} has no image` };
    }
    case 'shared-build':
    case 'from-component':
      return imageFor(decision.component, plan, tasks, snapshot, next);
  }
}

function fromBuildTask(
  component: string,
  entry: ComponentPlan,
  tasks: ReadonlyMap<string, DeploymentTask>,
  snapshot: RuntimeSnapshot | undefined,
): ImageLookup {
  const task = tasks.get(`build:${component}`);
  const image = task?.result?.['image'];
  if (typeof image === 'string') return { ok: true, image, rebuilt: true };
  // A follow-build without its own task: the followed build may have finished already.
  if (entry.build?.kind === 'follow-build') {
    const buildId = entry.build.buildId;
    const found = snapshot?.builds.find((b) => b.id === buildId)?.image;
    if (found) return { ok: true, image: found, rebuilt: true };
  }
  return { ok: false, reason: `the build of ${component} has produced no image` };
}
