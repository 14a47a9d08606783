/**
 * `/tools/<tool>/deployments/<id>`: the task DAG (SVG, laid out on the server), a timeline of task starts and
 * ends, a log panel and a cancel button. The page is complete as served; the client script then follows the
 * deployment's event stream (`data-events`) and updates nodes, timeline and state without a reload.
 */
import type { ApiContext } from '../../api/context.js';
import { findDeployment, isFinal } from '../../api/deployments-service.js';
import type { Deployment, DeploymentTask } from '../../model/deployment.js';
import { dagSvg, dagTasks } from '../dag-svg.js';
import { html, trusted, type Html } from '../html.js';
import { page } from '../layout.js';
import { durationBetween, taskStateLabel } from '../task-view.js';

function timelineRow(task: DeploymentTask): Html {
  return html`<tr
    data-task-id="${task.id}"
    data-started="${task.startedAt ?? ''}"
    data-finished="${task.finishedAt ?? ''}"
  >
    <th scope="row">${task.id}</th>
    <td class="task-state-cell" data-state="${task.state}">${taskStateLabel(task.state)}</td>
    <td class="started">
      ${task.startedAt ? html`<time datetime="${task.startedAt}">${task.startedAt.slice(11, 23)}</time>` : '—'}
    </td>
    <td class="finished">
      ${task.finishedAt ? html`<time datetime="${task.finishedAt}">${task.finishedAt.slice(11, 23)}</time>` : '—'}
    </td>
    <td class="duration">${durationBetween(task.startedAt, task.finishedAt) || '—'}</td>
    <td class="bar-cell">
      <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
        <rect class="bar-fill state-${task.state}" x="0" y="1" width="0" height="8" />
      </svg>
    </td>
  </tr>`;
}

function cancelControl(tool: string, deployment: Deployment): Html {
  const action = `/tools/${tool}/deployments/${deployment.id}/cancel`;
  return html`<div class="cancel" ${isFinal(deployment) || deployment.state === 'cancelling' ? 'hidden' : ''}>
    <button type="button" class="danger" data-opens="cancel-dialog">Cancel deployment…</button>
    <dialog id="cancel-dialog" aria-labelledby="cancel-title">
      <form method="post" action="${action}">
        <h2 id="cancel-title">Cancel deployment ${deployment.id}?</h2>
        <p>Running builds are cancelled and nothing new starts; job updates in flight finish.</p>
        <div class="dialog-buttons">
          <button type="submit" class="danger" id="confirm-cancel">Yes, cancel it</button>
          <button type="button" data-closes="cancel-dialog">Keep it running</button>
        </div>
      </form>
    </dialog>
  </div>`;
}

function logPanel(tool: string, tasks: readonly DeploymentTask[]): Html {
  const components = [...new Set(tasks.map((t) => t.component))];
  const options = components.flatMap((c) => {
    const kinds = tasks.filter((t) => t.component === c).map((t) => t.kind);
    return [
      kinds.includes('build') && html`<option value="${c}|build">${c} — build log</option>`,
      html`<option value="${c}|job">${c} — job log</option>`,
    ];
  });
  return html`<section class="logs" aria-labelledby="logs-title" data-logs-base="/tools/${tool}/components/">
    <h2 id="logs-title">Logs</h2>
    <label for="log-source">Follow</label>
    <select id="log-source">
      <option value="">(choose a component, or click a task)</option>
      ${options}
    </select>
    <pre id="log-lines" class="log" tabindex="0" aria-live="polite" aria-label="Log lines"></pre>
  </section>`;
}

export async function deploymentPage(ctx: ApiContext, tool: string, id: string): Promise<Html> {
  const deployment = await findDeployment(ctx, tool, id, false);
  const tasks = await ctx.store.listTasks(deployment.id);
  const svg = dagSvg(dagTasks(deployment.plan.tasks, tasks));
  const events = `/tools/${tool}/deployments/${deployment.id}/events`;
  return page(
    { title: `${tool} ${deployment.id}`, trail: [[tool, `/tools/${tool}`], [deployment.id]] },
    html`<div
      class="deployment"
      data-events="${isFinal(deployment) ? '' : events}"
      data-created="${deployment.createdAt}"
    >
      <h1>Deployment <code>${deployment.id}</code></h1>
      <p>
        State:
        <span
          id="deployment-state"
          class="badge deployment-${deployment.state}"
          data-state="${deployment.state}"
          >${deployment.state}</span
        >
        <span id="long-status" class="muted">${deployment.longStatus ?? ''}</span>
        ${deployment.description && html`<br />Description: ${deployment.description}`}
      </p>
      ${cancelControl(tool, deployment)}
      <section aria-labelledby="dag-title">
        <h2 id="dag-title">Tasks</h2>
        ${tasks.length === 0 ? html`<p>Nothing to do: every component was up to date.</p>` : html`<div class="dag-frame">${trusted(svg)}</div>`}
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <div class="scroll">
          <table class="timeline">
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">State</th>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col">Duration</th>
                <th scope="col"><span class="visually-hidden">Bar</span></th>
              </tr>
            </thead>
            <tbody>
              ${tasks.map(timelineRow)}
            </tbody>
          </table>
        </div>
      </section>
      ${logPanel(tool, tasks)}
    </div>`,
  );
}
