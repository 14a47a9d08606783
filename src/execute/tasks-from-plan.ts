import type { Plan } from '../model/plan.js';
import type { DeploymentTask } from '../model/deployment.js';

/** The stored tasks of a new deployment: one per plan task, all pending, in the plan's (topological) order. */
export function tasksFromPlan(deploymentId: string, plan: Plan): DeploymentTask[] {
  return plan.tasks.map((task) => ({
    deploymentId,
    id: task.id,
    kind: task.kind,
    component: task.component,
    state: 'pending',
    attempts: 0,
    waitingFor: [],
  }));
}
