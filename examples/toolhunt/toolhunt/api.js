// toolhunt-api: a small task API. Tasks live in memory and in $TOOL_DATA_DIR/toolhunt-tasks.json, so they
// survive a restart. Endpoints: GET /healthz, GET /api/tasks, POST /api/tasks {"title"}, POST /api/tasks/:id/done,
// GET /api/stats, POST /api/cleanup (forgets finished tasks; called by the toolhunt-cleanup scheduled job).
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const port = Number(process.env.PORT ?? 8000);
const dataDir = process.env.TOOL_DATA_DIR ?? '.';
const file = join(dataDir, 'toolhunt-tasks.json');
const started = new Date().toISOString();

function load() {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {
      nextId: 4,
      cleanups: 0,
      tasks: [
        { id: 1, title: 'Add a description to tool "wikibugs"', done: false },
        { id: 2, title: 'Fill in the repository of tool "quarry"', done: true },
        { id: 3, title: 'Add a license to tool "xtools"', done: false },
      ],
    };
  }
}

const state = load();

function save() {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  if (text === '') return {};
  return JSON.parse(text);
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const done = /^\/api\/tasks\/(\d+)\/done$/.exec(url.pathname);
  if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && url.pathname === '/') {
    return send(res, 200, { name: 'toolhunt-api', endpoints: ['/api/tasks', '/api/stats', '/api/cleanup'] });
  }
  if (req.method === 'GET' && url.pathname === '/api/tasks') return send(res, 200, state.tasks);
  if (req.method === 'GET' && url.pathname === '/api/stats') {
    const open = state.tasks.filter((t) => !t.done).length;
    return send(res, 200, {
      open,
      done: state.tasks.length - open,
      cleanups: state.cleanups,
      started,
      pid: process.pid,
    });
  }
  if (req.method === 'POST' && url.pathname === '/api/tasks') {
    const body = await readBody(req);
    if (typeof body.title !== 'string' || body.title.trim() === '')
      return send(res, 422, { error: 'title is required' });
    const task = { id: state.nextId++, title: body.title.trim(), done: false };
    state.tasks.push(task);
    save();
    return send(res, 201, task);
  }
  if (req.method === 'POST' && done) {
    const task = state.tasks.find((t) => t.id === Number(done[1]));
    if (!task) return send(res, 404, { error: 'no such task' });
    task.done = true;
    save();
    return send(res, 200, task);
  }
  if (req.method === 'POST' && url.pathname === '/api/cleanup') {
    const before = state.tasks.length;
    state.tasks = state.tasks.filter((t) => !t.done);
    state.cleanups += 1;
    save();
    return send(res, 200, { removed: before - state.tasks.length, cleanups: state.cleanups });
  }
  return send(res, 404, { error: 'not found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => send(res, 400, { error: String(error.message ?? error) }));
});
server.listen(port, '127.0.0.1', () => console.log(`toolhunt-api listening on http://127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
