/**
 * What a deployment deployed, per component: the commit its image was built from, the build, and the image
 * its job runs. Known partly when planning (a reused build's commit and image) and completed from the build
 * tasks' results as they end (a new build's commit and image exist only then), so the record answers "what
 * is actually running?" and is what a rollback deploys again (docs/upstream-compat.md#rollback).
 *
 * Pure: plan + tasks in, record out. The executor stores it when a deployment ends, the API when it creates one.
 */
import type { BuildDecision, ComponentPlan, Plan } from '../model/plan.js';
import type { DeployedComponent, DeployedRecord, DeploymentTask } from '../model/deployment.js';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function fromBuild(
  decision: BuildDecision,
  component: ComponentPlan,
  builds: ReadonlyMap<string, DeploymentTask>,
): DeployedComponent | undefined {
  switch (decision.kind) {
    case 'reuse-build':
      return {
        commit: decision.commit,
        buildId: decision.buildId,
        ...(decision.image !== undefined ? { image: decision.image } : {}),
      };
    case 'follow-build':
    case 'build': {
      const result = builds.get(component.name)?.result;
      const commit = text(result?.resolvedCommit) ?? decision.commit;
      const buildId =
        text(result?.buildId) ?? (decision.kind === 'follow-build' ? decision.buildId : undefined);
      const image = text(result?.image);
      return {
        ...(commit !== undefined ? { commit } : {}),
        ...(buildId !== undefined ? { buildId } : {}),
        ...(image !== undefined ? { image } : {}),
      };
    }
    // Filled in from the component whose build they use.
    case 'shared-build':
    case 'from-component':
      return undefined;
  }
}

export function whatDeployed(plan: Plan, tasks: readonly DeploymentTask[]): DeployedRecord {
  const builds = new Map(tasks.filter((t) => t.kind === 'build').map((t) => [t.component, t]));
  const record: Record<string, DeployedComponent> = {};
  const borrowers: [string, string][] = [];
  for (const component of plan.components) {
    // Orphans and deletions deploy nothing; a component `only` left out has no build decision.
    if (component.type === undefined || component.job.kind === 'delete') continue;
    const decision = component.build;
    if (decision === undefined) continue;
    if (decision.kind === 'shared-build' || decision.kind === 'from-component') {
      borrowers.push([component.name, decision.component]);
      continue;
    }
    const deployed = fromBuild(decision, component, builds);
    if (deployed) record[component.name] = deployed;
  }
  // `from-component` may name a `shared-build` borrower: resolve in passes until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, from] of borrowers) {
      const source = record[from];
      if (source && record[name] === undefined) {
        record[name] = source;
        changed = true;
      }
    }
  }
  return record;
}
