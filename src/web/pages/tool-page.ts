/**
 * `/tools/<tool>`: every component with its state as `status` computes it (managed, drifted with the fields
 * that differ, missing, orphaned, unmanaged), its job's health and replicas, build and commit, published URL;
 * an "undeployed changes" banner with the plan when the stored config is not the one last deployed
 * successfully; the deployment history. One runtime observation serves both the status and the plan.
 */
import type { ApiContext } from '../../api/context.js';
import { observe } from '../../api/deployments-service.js';
import type { ToolConfig } from '../../model/tool-config.js';
import type { Deployment } from '../../model/deployment.js';
import { planDeployment } from '../../plan/plan-builder.js';
import { renderPlanText } from '../../plan/render-text.js';
import type { ComponentStatus } from '../../status/tool-status.js';
import { describeToolStatus } from '../../status/tool-status.js';
import {
  deployedConfigState,
  hasUndeployedChanges,
  lastSuccessfulDeployment,
} from '../../status/undeployed.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import { durationBetween } from '../task-view.js';

const EMPTY_CONFIG: ToolConfig = { dialect: 'v1beta1', components: [] };

const STATUS_SYMBOLS: Record<ComponentStatus['status'], string> = {
  managed: '✔',
  drifted: '~',
  missing: '+',
  orphaned: '!',
  unmanaged: '?',
};

const show = (value: unknown): string => (value === undefined ? '—' : JSON.stringify(value));

function stateCell(component: ComponentStatus): Html {
  const drift = (component.drift ?? []).map(
    (change) => html`<li><code>${change.field}</code>: ${show(change.before)} → ${show(change.after)}</li>`,
  );
  return html`<span class="badge status-${component.status}"
      >${STATUS_SYMBOLS[component.status]} ${component.status}</span
    >${
      drift.length > 0 &&
      html`<ul class="drift">
        ${drift}
      </ul>`
    }`;
}

function healthCell(component: ComponentStatus): Html | string {
  const job = component.job;
  if (!job) return '—';
  const replicas =
    job.replicas !== undefined || job.readyReplicas !== undefined
      ? ` · ${job.readyReplicas ?? 0}/${job.replicas ?? 1} replicas ready`
      : '';
  const why = job.healthReason ?? job.message;
  return html`<span class="badge health-${job.health}">${job.state}, ${job.health}</span
    >${replicas}${why && html`<div class="muted">${why}</div>`}`;
}

function buildCell(component: ComponentStatus): Html | string {
  const build = component.latestBuild;
  const image = component.job?.image;
  if (!build && !image) return '—';
  return html`${build && html`<span class="badge build-${build.state}">${build.state}</span> <code>${build.id}</code>`}${build?.resolvedCommit && html` @ <code title="${build.resolvedCommit}">${build.resolvedCommit.slice(0, 10)}</code>`}${image && html`<div class="muted"><code>${image}</code></div>`}`;
}

function componentRow(component: ComponentStatus): Html {
  const url = component.job?.url;
  return html`<tr data-component="${component.name}" data-status="${component.status}">
    <th scope="row">${component.name}</th>
    <td>${component.type ?? component.job?.type ?? '—'}</td>
    <td>${stateCell(component)}</td>
    <td>${healthCell(component)}</td>
    <td>${buildCell(component)}</td>
    <td>${url ? html`<a href="${url}">${url}</a>` : '—'}</td>
  </tr>`;
}

function historyRow(tool: string, d: Deployment): Html {
  return html`<tr data-deployment="${d.id}">
    <th scope="row"><a href="/tools/${tool}/deployments/${d.id}">${d.id}</a></th>
    <td><span class="badge deployment-${d.state}">${d.state}</span></td>
    <td><time datetime="${d.createdAt}">${d.createdAt.replace('T', ' ').slice(0, 19)}</time></td>
    <td>${durationBetween(d.startedAt ?? d.createdAt, d.finishedAt) || '—'}</td>
    <td>${d.description}</td>
  </tr>`;
}

export async function toolPage(ctx: ApiContext, tool: string): Promise<Html> {
  const [stored, history] = await Promise.all([ctx.store.getConfig(tool), ctx.store.listDeployments(tool)]);
  const deployments = [...history].reverse();
  const config = stored?.config ?? EMPTY_CONFIG;
  const observed = await observe(ctx, tool, config);
  const status = describeToolStatus(config, observed);
  const deployed = lastSuccessfulDeployment(deployments);
  const undeployed = hasUndeployedChanges(deployedConfigState(stored?.config, deployed));
  const plan = undeployed
    ? planDeployment(config, observed, { forceBuild: false, forceRun: false, prune: false })
    : undefined;
  const counts = Object.entries(status.counts)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return page(
    { title: tool, trail: [[tool]] },
    html`<h1>${tool}</h1>
      <p class="actions"><a class="button" href="/tools/${tool}/plan">Plan a config…</a></p>
      ${
        plan &&
        html`<section class="banner" role="status" aria-labelledby="undeployed-title">
          <h2 id="undeployed-title">⚠ Undeployed changes</h2>
          <p>
            The stored config differs from
            ${deployed ? html`the one deployed by <a href="/tools/${tool}/deployments/${deployed.id}">${deployed.id}</a>` : 'anything deployed successfully'}.
            Deploying it would do:
          </p>
          <pre class="plan">${renderPlanText(plan, { color: false })}</pre>
        </section>`
      }
      <section aria-labelledby="components-title">
        <h2 id="components-title">Components</h2>
        <p class="muted">${counts || 'No components.'} · observed ${status.observedAt}</p>
        <div class="scroll">
          <table class="components">
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Job health</th>
                <th scope="col">Image / build</th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              ${status.components.map((c) => componentRow(c))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">Deployments</h2>
        ${
          deployments.length === 0
            ? html`<p>No deployments yet.</p>`
            : html`<div class="scroll">
                <table class="history">
                  <thead>
                    <tr>
                      <th scope="col">Deployment</th>
                      <th scope="col">Status</th>
                      <th scope="col">Started</th>
                      <th scope="col">Duration</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${deployments.map((d) => historyRow(tool, d))}
                  </tbody>
                </table>
              </div>`
        }
      </section>`,
  );
}
