import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { painter } from '../output.js';
import type { DeployProgress } from './deploy-progress.js';
import { TtyProgress } from './progress-renderers.js';

/** A terminal 10 columns wide that keeps what is written to it. */
function terminal(): { stream: Writable & { columns: number; rows: number }; writes: string[] } {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.toString());
        done();
      },
    }),
    { columns: 10, rows: 24 },
  );
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
  const { stream, writes } = terminal();
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
