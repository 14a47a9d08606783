import { test } from 'node:test';
import assert from 'node:assert/strict';
import { painter } from '../output.js';
import type { DeployProgress } from './deploy-progress.js';
import { TtyProgress } from './progress-renderers.js';

/** A terminal of the given size that keeps what is written to it. */
function terminal(columns: number, rows: number) {
  const writes: string[] = [];
  const stream = { columns, rows, write: (text: string) => (writes.push(text), true) };
  return { stream, writes };
}

const progress = (state: string): DeployProgress => ({
  tool: 'toolhunt',
  deploymentId: 'd1',
  state,
  tasks: [{ id: 'deploy:toolhunt-api', kind: 'deploy', component: 'toolhunt-api', state, waitsOn: [] }],
  unchanged: [],
});

/** ansi-escapes' eraseLines(n), which log-update sends before a frame: n rows up, each cleared. */
const eraseLines = (n: number) => `${'\u001b[2K\u001b[1A'.repeat(n - 1)}\u001b[2K\u001b[G`;

test('terminal: each frame replaces the previous one, wrapped rows included; the final text stays', async () => {
  const { stream, writes } = terminal(10, 24);
  const view = new TtyProgress(stream, painter(false));
  view.update(progress('running'));
  const first = writes.at(-1) ?? '';
  // Deploying components: / [⠋] toolhunt-api … / Deployment …: wrapped at 10 columns into several rows.
  const rows = first.split('\n').length;
  assert.ok(rows > 3, first);
  view.finish(progress('succeeded'));
  await new Promise((resolve) => setImmediate(resolve));
  const [erase, final] = writes.slice(-2);
  assert.equal(erase, eraseLines(rows));
  assert.equal(final, 'Deploying components:\n[✅] toolhunt-api\n');
});

test('terminal: one that reports no size (a pseudo-terminal without one) is drawn on as 80 × 24', () => {
  const { stream, writes } = terminal(0, 0);
  const view = new TtyProgress(stream, painter(false));
  view.update(progress('running'));
  view.pause();
  assert.match(writes.join(''), /Deploying components:\n\[.\] toolhunt-api \(deploying\)/);
});
