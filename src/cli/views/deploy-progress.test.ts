import { toolhuntDeployLines } from '../../../test/support/toolhunt-output.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeploymentJson, TaskJson } from '../api-types.js';
import { SseParser } from '../sse.js';
import { painter } from '../output.js';
import {
  applyEvent,
  deployedEverything,
  isFinished,
  parseProgressEvent,
  plainLines,
  progressFromDeployment,
  startLine,
  type DeployProgress,
} from './deploy-progress.js';
import { liveLines } from './live-lines.js';

const ID = '20261125-101010-abcdefghij';

function task(
  id: string,
  dependsOn: Array<[string, TaskJson['depends_on'][number]['condition']]> = [],
): TaskJson {
  const [kind, component] = id.split(':') as [TaskJson['kind'], string];
  return {
    id,
    kind,
    component,
    state: 'pending',
    attempts: 0,
    waiting_for: [],
    depends_on: dependsOn.map(([t, condition]) => ({ task: t, condition })),
  };
}

/** The toolhunt deployment as POST /deploy returns it: every task pending, in plan order. */
function toolhuntDeployment(): DeploymentJson {
  return {
    deploy_id: ID,
    creation_time: '20261125-101010',
    status: 'pending',
    builds: {},
    runs: {
      'toolhunt-cleanup': { run_status: 'pending' },
      'toolhunt-api': { run_status: 'pending' },
      'toolhunt-flower': { run_status: 'pending' },
    },
    tasks: [
      task('build:toolhunt-cleanup'),
      task('build:toolhunt-api'),
      task('deploy:toolhunt-api', [['build:toolhunt-api', 'completed']]),
      task('deploy:toolhunt-cleanup', [
        ['build:toolhunt-cleanup', 'completed'],
        ['deploy:toolhunt-api', 'healthy'],
      ]),
      task('deploy:toolhunt-flower', [
        ['build:toolhunt-api', 'completed'],
        ['deploy:toolhunt-api', 'healthy'],
      ]),
    ],
  };
}

let seq = 0;
function frame(type: string, state: string, taskId?: string, reason?: string): string {
  seq += 1;
  const data = {
    seq,
    at: new Date(Date.UTC(2026, 10, 25, 10, 10, 10 + seq)).toISOString(),
    type,
    state,
    ...(taskId ? { task: taskId } : {}),
    ...(reason ? { reason } : {}),
  };
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Replays a recorded SSE text through the parser (in awkward chunks) and the model; returns what a non-TTY prints. */
function replay(
  start: DeployProgress,
  stream: string,
  chunk = 7,
): { progress: DeployProgress; printed: string[] } {
  const parser = new SseParser();
  let progress = start;
  const printed: string[] = [];
  const print = (): void => {
    const lines = plainLines(progress);
    printed.push(...lines.slice(printed.length));
  };
  print();
  for (let i = 0; i < stream.length; i += chunk) {
    for (const message of parser.feed(stream.slice(i, i + chunk))) {
      const event = parseProgressEvent(message);
      if (event) progress = applyEvent(progress, event);
      print();
    }
  }
  return { progress, printed };
}

test('toolhunt: recorded events render exactly the expected plain output, whatever order tasks finished in', () => {
  seq = 0;
  const stream = [
    ': keep-alive\n\n',
    frame('deployment', 'running'),
    frame('task', 'running', 'build:toolhunt-cleanup'),
    frame('task', 'running', 'build:toolhunt-api'),
    frame('task', 'succeeded', 'build:toolhunt-api'),
    frame('task', 'running', 'deploy:toolhunt-api'),
    frame('task', 'waiting', 'deploy:toolhunt-flower', 'waiting for toolhunt-api: not healthy yet'),
    frame('task', 'succeeded', 'deploy:toolhunt-api'),
    frame('task', 'running', 'deploy:toolhunt-flower'),
    frame('task', 'succeeded', 'deploy:toolhunt-flower'),
    frame('task', 'succeeded', 'build:toolhunt-cleanup'),
    frame('task', 'running', 'deploy:toolhunt-cleanup'),
    frame('task', 'succeeded', 'deploy:toolhunt-cleanup'),
    frame('deployment', 'successful', undefined, 'Finished at 2026-11-25 10:10:30.000000+00:00'),
    'event: end\ndata: {"state":"successful","long_status":"Finished"}\n\n',
  ].join('');
  const start = progressFromDeployment('toolhunt', toolhuntDeployment());
  const { progress, printed } = replay(start, stream);
  assert.equal(
    [startLine('toolhunt', ID), ...printed].join('\n'),
    toolhuntDeployLines('20261125-101010-abcdefghij').join('\n'),
  );
  assert.ok(isFinished(progress));
  assert.ok(deployedEverything(progress));
  assert.equal(progress.lastSeq, seq);
});

test('failure: the failed build says why, its dependents are skipped, the independent branch deploys', () => {
  seq = 0;
  const stream = [
    frame('task', 'running', 'build:toolhunt-api'),
    frame('task', 'failed', 'build:toolhunt-api', 'Build failed: npm ci exited with 1'),
    frame('task', 'skipped', 'deploy:toolhunt-api', 'dependency toolhunt-api failed'),
    frame('task', 'skipped', 'deploy:toolhunt-flower', 'skipped (dependency toolhunt-api failed)'),
    frame('task', 'succeeded', 'build:toolhunt-cleanup'),
    frame('task', 'skipped', 'deploy:toolhunt-cleanup'),
    frame('deployment', 'failed'),
  ].join('');
  const { progress, printed } = replay(progressFromDeployment('toolhunt', toolhuntDeployment()), stream, 3);
  assert.deepEqual(printed, [
    'Building images:',
    '[✅] toolhunt-cleanup',
    '[❌] toolhunt-api: Build failed: npm ci exited with 1',
    'Deploying components:',
    '[⏭] toolhunt-api (skipped: dependency toolhunt-api failed)',
    '[⏭] toolhunt-cleanup (skipped: dependency failed)',
    '[⏭] toolhunt-flower (skipped: dependency toolhunt-api failed)',
    'Deployment failed: 1 failed, 3 skipped',
  ]);
  assert.equal(deployedEverything(progress), false);
});

test('a deployment that ends while tasks are unfinished (timed out) still prints every task', () => {
  const start = progressFromDeployment('toolhunt', { ...toolhuntDeployment(), status: 'timed_out' });
  const lines = plainLines(start);
  assert.equal(lines.at(-1), 'Deployment timed out');
  assert.ok(lines.includes('[⏹] toolhunt-api (not finished: pending)'));
});

test('components without a task are listed as up to date; a deployment with no task at all succeeds', () => {
  const progress = progressFromDeployment('t', {
    deploy_id: ID,
    creation_time: '20261125-101010',
    builds: {},
    status: 'successful',
    runs: { web: { run_status: 'successful' }, cron: { run_status: 'successful' } },
    tasks: [],
  });
  assert.deepEqual(plainLines(progress), ['Up to date: web, cron', 'All components deployed']);
  assert.ok(deployedEverything(progress));
});

test('an upstream server (no tasks): builds and runs maps stand in for them', () => {
  const progress = progressFromDeployment('t1', {
    deploy_id: ID,
    creation_time: '20261125-101010',
    status: 'failed',
    builds: {
      web: { build_id: 'b-1', build_status: 'successful' },
      cron: { build_id: 'no-build-needed', build_status: 'skipped' },
    },
    runs: {
      web: { run_status: 'failed', run_long_status: 'Bad request (400): Ayayayay!' },
      cron: { run_status: 'skipped', run_long_status: 'Skipped due to previous failure' },
    },
  });
  assert.deepEqual(plainLines(progress), [
    'Building images:',
    '[✅] web',
    'Deploying components:',
    '[❌] web: Bad request (400): Ayayayay!',
    '[⏭] cron (skipped: due to previous failure)',
    'Deployment failed: 1 failed, 1 skipped',
  ]);
});

test('live frame: spinner, what a waiting task waits for, elapsed times; colours only when asked', () => {
  seq = 0;
  const stream = [
    frame('task', 'running', 'build:toolhunt-cleanup'),
    frame('task', 'succeeded', 'build:toolhunt-api'),
    frame('task', 'succeeded', 'deploy:toolhunt-api'),
    frame('task', 'waiting', 'deploy:toolhunt-flower', 'waiting for toolhunt-api: not healthy yet'),
  ].join('');
  const { progress } = replay(progressFromDeployment('toolhunt', toolhuntDeployment()), stream);
  const now = Date.parse('2026-11-25T10:10:30.000Z');
  const lines = liveLines(progress, now, 0, painter(false), now - 20_000);
  assert.deepEqual(lines, [
    'Building images:',
    '[⠋] toolhunt-cleanup (building) 19s',
    '[✅] toolhunt-api',
    'Deploying components:',
    '[✅] toolhunt-api',
    '[·] toolhunt-cleanup (pending, after toolhunt-api)',
    '[⠋] toolhunt-flower (waiting for toolhunt-api: not healthy yet) 16s',
    'Deployment pending (2/5 tasks done) 20s',
  ]);
  const coloured = liveLines(progress, now, 1, painter(true));
  assert.ok(coloured.some((l) => l.includes('\u001b[33m⠙')));
});
