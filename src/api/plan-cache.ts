/**
 * Plans this server handed out recently, by id, so that a stale `plan_id` can be answered with what changed
 * (not only "it changed"). Bounded; a plan id it does not know (another replica, a restart) still gets a 409,
 * with the current plan's id and summary.
 */
import type { ComponentPlan, Plan } from '../model/plan.js';

const MAX_PLANS = 500;

function action(c: ComponentPlan): string {
  const build = c.build ? `${c.build.kind}` : 'no build';
  return `${build}, ${c.job.kind}`;
}

export class PlanCache {
  readonly #plans = new Map<string, Plan>();

  remember(plan: Plan): void {
    this.#plans.delete(plan.id);
    this.#plans.set(plan.id, plan);
    if (this.#plans.size > MAX_PLANS) this.#plans.delete(this.#plans.keys().next().value as string);
  }

  /** One readable sentence listing what differs between the plan `planId` named and `current`. */
  explain(planId: string, current: Plan): string {
    const old = this.#plans.get(planId);
    const summary = `the current plan is ${current.id}`;
    if (!old || old.tool !== current.tool)
      return `${summary} (the plan ${planId} is not known to this server)`;
    const changes: string[] = [];
    if (old.configDigest !== current.configDigest) changes.push('the config changed');
    if (old.statusRevision !== current.statusRevision) changes.push("the tool's builds or jobs changed");
    const before = new Map(old.components.map((c) => [c.name, c]));
    const after = new Map(current.components.map((c) => [c.name, c]));
    for (const [name, c] of after) {
      const was = before.get(name);
      if (!was) changes.push(`${name} is new (${action(c)})`);
      else if (action(was) !== action(c)) changes.push(`${name}: ${action(was)} → ${action(c)}`);
    }
    for (const name of before.keys()) if (!after.has(name)) changes.push(`${name} is no longer planned`);
    return `${changes.length > 0 ? changes.join('; ') : 'the plan inputs changed'}; ${summary}`;
  }
}
