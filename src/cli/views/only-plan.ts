/**
 * `deploy --only-plan`: the plan the server computed, printed as `plan` prints it (text or JSON). Exit codes as
 * `plan`: 0, or 2 with --detailed-exitcode when the plan has changes (Terraform's convention).
 */
import type { ApiResult } from '../api-client.js';
import { planHasChanges } from '../../plan/plan-builder.js';
import { planFromJson } from '../../plan/read-plan-json.js';
import { renderPlanForCli } from './plan-view.js';
import { colourEnabled, printMessages, type Output } from '../output.js';

export function renderOnlyPlan(
  result: ApiResult<unknown>,
  options: { readonly json?: boolean; readonly detailedExitcode?: boolean },
  output: Output,
): number {
  // The API answers with the documented plan JSON (docs/plan-json.md): render it as a local plan is.
  const plan = planFromJson(result.data);
  if (!options.json) {
    // The plan text lists its own warnings; only the others (e.g. unknown config fields) go to stderr.
    const own = new Set(plan.warnings);
    printMessages(output, {
      info: [],
      warning: result.messages.warning.filter((w) => !own.has(w)),
      error: [],
    });
  }
  process.stdout.write(
    renderPlanForCli(plan, { json: options.json === true, color: colourEnabled(process.stdout) }),
  );
  return options.detailedExitcode && planHasChanges(plan) ? 2 : 0;
}
