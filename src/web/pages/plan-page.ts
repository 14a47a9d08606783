/**
 * The plan view: paste or upload a config, see the plan the server computes for it rendered exactly as the CLI
 * renders `deploy --only-plan` (the API's plan JSON → planFromJson → renderPlanText), then deploy exactly that
 * plan: the deploy carries its `plan_id`, so if anything changed in between the API refuses it as stale.
 */
import { planFromJson } from '../../plan/read-plan-json.js';
import { renderPlanText } from '../../plan/render-text.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';

export interface PlanOutcome {
  readonly config: string;
  /** The API's answer to `?only-plan=true` (plan JSON) or to a refused deploy. */
  readonly plan?: unknown;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

function messages(kind: 'error' | 'warning', list: readonly string[]): Html | false {
  return (
    list.length > 0 &&
    html`<ul class="messages ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">
      ${list.map((m) => html`<li>${kind === 'error' ? '✖' : '⚠'} ${m}</li>`)}
    </ul>`
  );
}

export function planPage(tool: string, outcome?: PlanOutcome): Html {
  const plan = outcome?.plan !== undefined ? planFromJson(outcome.plan) : undefined;
  return page(
    { title: `${tool} plan`, trail: [[tool, `/tools/${tool}`], ['plan']] },
    html`<h1>Plan a config for ${tool}</h1>
      <form method="post" action="/tools/${tool}/plan" class="plan-form">
        <p><label for="config">Config (YAML or JSON, either dialect)</label></p>
        <textarea id="config" name="config" rows="16" spellcheck="false" required>
${outcome?.config ?? ''}</textarea>
        <p>
          <label for="config-file">…or upload a file</label>
          <input type="file" id="config-file" accept=".yaml,.yml,.json,text/yaml,application/json" />
        </p>
        <p><button type="submit">Show the plan</button></p>
      </form>
      ${outcome && messages('error', outcome.errors)} ${outcome && messages('warning', outcome.warnings)}
      ${
        plan &&
        html`<section aria-labelledby="plan-title">
          <h2 id="plan-title">Plan <code>${plan.id}</code></h2>
          <pre class="plan" id="plan-text">${renderPlanText(plan, { color: false })}</pre>
          <form method="post" action="/tools/${tool}/deploy" class="deploy-form">
            <input type="hidden" name="plan_id" value="${plan.id}" />
            <textarea name="config" hidden>${outcome?.config ?? ''}</textarea>
            <p>
              <label for="description">Description</label>
              <input id="description" name="description" maxlength="200" />
            </p>
            <p><button type="submit" id="deploy-plan">Deploy this plan</button></p>
          </form>
        </section>`
      }`,
  );
}
