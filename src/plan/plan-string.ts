/**
 * One canonical line per task, then one per component without a deploy or delete task: the text golden tests compare
 * (Compose's `Plan.String()`, Terraform's `testPlanGraphBuilderStr`). Reads only the serialisable Plan.
 *
 *   [1] build:api, build no-matching-build
 *   [2] deploy:api, create, after #1 completed
 *   [3] deploy:web, restart image-rebuilt, after #1 completed, #2 healthy
 *   - worker, no-op
 */
import type { BuildDecision, ComponentPlan, JobDecision, Plan, PlanTask } from '../model/plan.js';

export function buildAction(build: BuildDecision): string {
  switch (build.kind) {
    case 'build':
      return `build ${build.reason}${build.sharedWith.length > 0 ? ` shared-with ${build.sharedWith.join(',')}` : ''}`;
    case 'reuse-build':
      return `reuse-build ${build.buildId}`;
    case 'follow-build':
      return `follow-build ${build.buildId}`;
    case 'from-component':
      return `from-component ${build.component}`;
    case 'shared-build':
      return `shared-build ${build.component}`;
  }
}

export function jobAction(job: JobDecision): string {
  switch (job.kind) {
    case 'update':
      return `update ${job.changes.map((c) => c.field).join(',')}`;
    case 'restart':
      return `restart ${job.reason}`;
    default:
      return job.kind;
  }
}

function taskAction(task: PlanTask, component: ComponentPlan | undefined): string {
  if (task.kind === 'build') return component?.build ? buildAction(component.build) : 'build';
  return component ? jobAction(component.job) : task.kind;
}

export function planString(plan: Plan): string {
  const byName = new Map(plan.components.map((c) => [c.name, c]));
  const position = new Map(plan.tasks.map((t, i) => [t.id, i + 1]));
  const lines = plan.tasks.map((task, i) => {
    const after = task.dependsOn.map((d) => `#${position.get(d.task) ?? '?'} ${d.condition}`);
    const action = taskAction(task, byName.get(task.component));
    return `[${i + 1}] ${task.id}, ${action}${after.length > 0 ? `, after ${after.join(', ')}` : ''}`;
  });
  const withTask = new Set(plan.tasks.filter((t) => t.kind !== 'build').map((t) => t.component));
  for (const component of plan.components) {
    if (withTask.has(component.name)) continue;
    const build = component.build ? `, ${buildAction(component.build)}` : '';
    lines.push(`- ${component.name}, ${jobAction(component.job)}${build}`);
  }
  return lines.join('\n');
}
