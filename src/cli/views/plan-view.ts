import type { Plan } from '../../model/plan.js';
import { renderPlanJson } from '../../plan/render-json.js';
import { renderPlanText } from '../../plan/render-text.js';

/** The plan as `plan` prints it; `deploy --only-plan` uses the same view. */
export function renderPlanForCli(plan: Plan, options: { json: boolean; color: boolean }): string {
  return options.json ? renderPlanJson(plan) : renderPlanText(plan, { color: options.color });
}
