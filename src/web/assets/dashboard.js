/* global document, window, EventSource, FileReader, HTMLElement */
/**
 * The dashboard's only script (served from the package, no build step, no inline code anywhere). It makes
 * the server-rendered pages live: the deployment page follows the deployment's event stream and recolours the
 * task graph, the timeline and the state without a reload; the log panel follows a component's build or job
 * log; dialogs open and close; an uploaded config file fills the plan form.
 */
const STATE_SYMBOLS = {
  pending: '○',
  waiting: '◷',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  cancelled: '⊘',
};
const FINAL_TASK_STATES = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
const FINAL_DEPLOYMENT_STATES = new Set(['successful', 'failed', 'cancelled', 'timed_out']);
const REASON_CHARS = 34;

const stateLabel = (state) => `${STATE_SYMBOLS[state] ?? '?'} ${state}`;
const shorten = (text, max) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function formatDuration(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round((ms % 60000) / 1000);
  return `${Math.floor(ms / 60000)} min ${String(seconds).padStart(2, '0')} s`;
}

function setClassState(element, state) {
  for (const name of [...element.classList]) if (name.startsWith('state-')) element.classList.remove(name);
  element.classList.add(`state-${state}`);
}

/** The task's node in the SVG: class, data-state, texts, tooltip. */
function updateNode(node, state, reason) {
  setClassState(node, state);
  node.dataset.state = state;
  node.querySelector('.task-state').textContent = stateLabel(state);
  if (reason !== undefined) node.querySelector('.task-reason').textContent = shorten(reason, REASON_CHARS);
  const { taskId, kind, component } = node.dataset;
  node.setAttribute('aria-label', `${kind} ${component}: ${state}`);
  node.querySelector('title').textContent = `${taskId}: ${state}${reason ? ` — ${reason}` : ''}`;
}

function timeCell(cell, iso) {
  cell.textContent = '';
  const time = document.createElement('time');
  time.dateTime = iso;
  time.textContent = iso.slice(11, 23);
  cell.append(time);
}

/** Timeline bars: each task's span on a shared axis from the deployment's creation to now or the last end. */
function drawTimeline(root) {
  const rows = [...root.querySelectorAll('table.timeline tbody tr')];
  const start = Date.parse(root.dataset.created);
  const ends = rows.map((row) => Date.parse(row.dataset.finished || row.dataset.started) || start);
  const live = root.dataset.events !== '';
  const last = Math.max(start + 1, live ? Date.now() : start + 1, ...ends);
  for (const row of rows) {
    const rect = row.querySelector('rect.bar-fill');
    if (!row.dataset.started) {
      rect.setAttribute('width', '0');
      continue;
    }
    const from = Date.parse(row.dataset.started);
    const to = row.dataset.finished ? Date.parse(row.dataset.finished) : last;
    rect.setAttribute('x', String(((from - start) / (last - start)) * 100));
    rect.setAttribute('width', String(Math.max(0.5, ((to - from) / (last - start)) * 100)));
  }
}

function updateTimelineRow(root, taskId, state, at) {
  const row = [...root.querySelectorAll('table.timeline tbody tr')].find((r) => r.dataset.taskId === taskId);
  if (!row) return;
  const stateCell = row.querySelector('.task-state-cell');
  stateCell.textContent = stateLabel(state);
  stateCell.dataset.state = state;
  setClassState(row.querySelector('rect.bar-fill'), state);
  if (state === 'running' && !row.dataset.started) {
    row.dataset.started = at;
    timeCell(row.querySelector('.started'), at);
  }
  if (FINAL_TASK_STATES.has(state) && !row.dataset.finished) {
    row.dataset.finished = at;
    if (row.dataset.started) timeCell(row.querySelector('.started'), row.dataset.started);
    timeCell(row.querySelector('.finished'), at);
    if (row.dataset.started)
      row.querySelector('.duration').textContent = formatDuration(
        Date.parse(at) - Date.parse(row.dataset.started),
      );
  }
}

function setDeploymentState(root, state, longStatus) {
  const badge = document.getElementById('deployment-state');
  for (const name of [...badge.classList]) if (name.startsWith('deployment-')) badge.classList.remove(name);
  badge.classList.add(`deployment-${state}`);
  badge.dataset.state = state;
  badge.textContent = state;
  if (longStatus !== undefined) document.getElementById('long-status').textContent = longStatus;
  const cancel = root.querySelector('.cancel');
  if (cancel && (FINAL_DEPLOYMENT_STATES.has(state) || state === 'cancelling')) cancel.hidden = true;
}

function followDeployment(root) {
  const url = root.dataset.events;
  drawTimeline(root);
  if (!url) return;
  const nodes = new Map([...root.querySelectorAll('g.task')].map((g) => [g.dataset.taskId, g]));
  const source = new EventSource(url);
  const ticker = window.setInterval(() => drawTimeline(root), 1000);
  source.addEventListener('task', (message) => {
    const event = JSON.parse(message.data);
    const node = nodes.get(event.task);
    if (node) updateNode(node, event.state, event.reason);
    updateTimelineRow(root, event.task, event.state, event.at);
    drawTimeline(root);
  });
  source.addEventListener('deployment', (message) => {
    const event = JSON.parse(message.data);
    setDeploymentState(root, event.state, event.reason);
  });
  source.addEventListener('end', (message) => {
    const end = JSON.parse(message.data);
    source.close();
    window.clearInterval(ticker);
    root.dataset.events = '';
    setDeploymentState(root, end.state, end.long_status);
    drawTimeline(root);
    root.dataset.live = 'ended';
  });
  root.dataset.live = 'following';
}

function followLogs(root) {
  const panel = root.querySelector('section.logs');
  if (!panel) return;
  const select = panel.querySelector('#log-source');
  const lines = panel.querySelector('#log-lines');
  let source;
  const follow = (value) => {
    source?.close();
    lines.textContent = '';
    if (!value) return;
    const [component, kind] = value.split('|');
    source = new EventSource(`${panel.dataset.logsBase}${encodeURIComponent(component)}/logs?kind=${kind}`);
    const append = (text) => {
      const atBottom = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 4;
      lines.append(`${text}\n`);
      if (atBottom) lines.scrollTop = lines.scrollHeight;
    };
    source.addEventListener('line', (m) => append(JSON.parse(m.data)));
    source.addEventListener('problem', (m) => append(`(${JSON.parse(m.data)})`));
    source.addEventListener('end', () => source.close());
  };
  select.addEventListener('change', () => follow(select.value));
  // A task node selects its component's log: the build log for a build task, else the job log.
  const choose = (node) => {
    const wanted = `${node.dataset.component}|${node.dataset.kind === 'build' ? 'build' : 'job'}`;
    if ([...select.options].some((o) => o.value === wanted)) {
      select.value = wanted;
      follow(wanted);
    }
  };
  for (const node of root.querySelectorAll('g.task')) {
    node.addEventListener('click', () => choose(node));
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        choose(node);
      }
    });
  }
}

function wireDialogs() {
  for (const button of document.querySelectorAll('[data-opens]'))
    button.addEventListener('click', () => document.getElementById(button.dataset.opens)?.showModal());
  for (const button of document.querySelectorAll('[data-closes]'))
    button.addEventListener('click', () => document.getElementById(button.dataset.closes)?.close());
}

function wireUpload() {
  const input = document.getElementById('config-file');
  const textarea = document.getElementById('config');
  if (!input || !textarea) return;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      textarea.value = String(reader.result);
    });
    reader.readAsText(file);
  });
}

wireDialogs();
wireUpload();
const deployment = document.querySelector('.deployment');
if (deployment instanceof HTMLElement) {
  followDeployment(deployment);
  followLogs(deployment);
}
