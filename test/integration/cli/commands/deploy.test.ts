/**
 * `deploy` through the real CLI process against a scripted loopback server: the exact plain output from an event
 * stream that drops midway (resumed with Last-Event-ID), the polling fallback, failures, --detach, --only-plan.
 */
import { planToJson } from '../../../../src/plan/render-json.js';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { DeploymentJson, TaskJson } from '../../../../src/cli/api-types.js';
import { runCli, startTestApi, type RecordedRequest, type TestApi } from '../../../support/cli-kit.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../../../../src/model/plan.js';
import { taskDetailsFor } from '../../../support/plan-fixtures.js';

const ID = '20261125-101010-abcdefghij';
const FAIL_ID = '20261125-101010-failfailfa';
const HANG_ID = '20261125-101010-hanghangha';
const POLL_ID = '20261125-101010-pollpollpo';
const ORDER = [
  'build:toolhunt-cleanup',
  'build:toolhunt-api',
  'deploy:toolhunt-api',
  'deploy:toolhunt-cleanup',
  'deploy:toolhunt-flower',
];
const WAITS: Record<string, string[]> = {
  'deploy:toolhunt-cleanup': ['toolhunt-api'],
  'deploy:toolhunt-flower': ['toolhunt-api'],
};

function deployment(
  id: string,
  status: NonNullable<DeploymentJson['status']>,
  states: Record<string, TaskJson['state']> = {},
): DeploymentJson {
  const tasks: TaskJson[] = ORDER.map((taskId) => {
    const [kind, component] = taskId.split(':') as [TaskJson['kind'], string];
    const state = states[taskId] ?? 'pending';
    return {
      id: taskId,
      kind,
      component,
      state,
      ...(state === 'failed' ? { reason: 'Build failed: npm ci exited with 1' } : {}),
      ...(state === 'skipped' ? { reason: 'dependency toolhunt-api failed' } : {}),
      attempts: 0,
      waiting_for: [],
      depends_on: (WAITS[taskId] ?? []).map((c) => ({ task: `deploy:${c}`, condition: 'healthy' as const })),
    };
  });
  return {
    deploy_id: id,
    creation_time: '20261125-101010',
    status,
    builds: {},
    runs: {
      'toolhunt-cleanup': { run_status: 'pending' },
      'toolhunt-api': { run_status: 'pending' },
      'toolhunt-flower': { run_status: 'pending' },
    },
    tasks,
  };
}

const allSucceeded = Object.fromEntries(ORDER.map((t) => [t, 'succeeded' as const]));
const failedStates: Record<string, TaskJson['state']> = {
  'build:toolhunt-cleanup': 'succeeded',
  'build:toolhunt-api': 'failed',
  'deploy:toolhunt-api': 'skipped',
  'deploy:toolhunt-cleanup': 'skipped',
  'deploy:toolhunt-flower': 'skipped',
};

function frame(seq: number, taskId: string | undefined, state: string, reason?: string): string {
  const data = {
    seq,
    at: `2026-11-25T10:10:${String(10 + seq).padStart(2, '0')}.000Z`,
    type: taskId ? 'task' : 'deployment',
    state,
    ...(taskId ? { task: taskId } : {}),
    ...(reason ? { reason } : {}),
  };
  return `id: ${seq}\nevent: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Tasks finish out of plan order on purpose: the plain output must not depend on it. */
const SUCCESS_FRAMES = [
  frame(1, undefined, 'running'),
  frame(2, 'build:toolhunt-api', 'running'),
  frame(3, 'build:toolhunt-cleanup', 'running'),
  frame(4, 'build:toolhunt-api', 'succeeded'),
  frame(5, 'deploy:toolhunt-api', 'running'),
  frame(6, 'deploy:toolhunt-flower', 'waiting', 'waiting for toolhunt-api: not healthy yet'),
  frame(7, 'deploy:toolhunt-api', 'succeeded'),
  frame(8, 'deploy:toolhunt-flower', 'succeeded'),
  frame(9, 'build:toolhunt-cleanup', 'succeeded'),
  frame(10, 'deploy:toolhunt-cleanup', 'succeeded'),
  frame(11, undefined, 'successful'),
];
const FAILURE_FRAMES = [
  frame(1, 'build:toolhunt-api', 'failed', 'Build failed: npm ci exited with 1'),
  frame(2, 'deploy:toolhunt-api', 'skipped', 'dependency toolhunt-api failed'),
  frame(3, 'deploy:toolhunt-flower', 'skipped', 'dependency toolhunt-api failed'),
  frame(4, 'build:toolhunt-cleanup', 'succeeded'),
  frame(5, 'deploy:toolhunt-cleanup', 'skipped', 'dependency toolhunt-api failed'),
  frame(6, undefined, 'failed'),
];

const lastEventIds: Array<string | undefined> = [];
/** Called when a CLI has opened the hanging deployment's event stream (it watches for Ctrl-C by then). */
let hangFollowed: (() => void) | undefined;

function streamEvents(
  request: RecordedRequest,
  response: ServerResponse,
  frames: readonly string[],
  finalState: string,
  dropAfter?: number,
): void {
  const resumeAfter = Number(request.headers['last-event-id'] ?? 0);
  if (frames === SUCCESS_FRAMES) lastEventIds.push(request.headers['last-event-id'] as string | undefined);
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  response.write('retry: 1000\n\n');
  const pending = frames.slice(resumeAfter);
  if (dropAfter !== undefined && resumeAfter === 0) {
    // The connection breaks mid-deployment, once these frames have been handed to the socket.
    response.write(pending.slice(0, dropAfter).join(''), () => response.destroy());
    return;
  }
  response.end(
    `${pending.join('')}event: end\ndata: ${JSON.stringify({ state: finalState, long_status: '' })}\n\n`,
  );
}

function json(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const PLAN: Plan = {
  formatVersion: PLAN_FORMAT_VERSION,
  id: 'plan-abc',
  tool: 'toolhunt',
  configDigest: 'c',
  statusRevision: 's',
  components: [
    {
      name: 'toolhunt-api',
      type: 'continuous',
      job: { kind: 'create' },
      reason: 'new component',
      waitFor: [],
    },
  ],
  tasks: [
    {
      id: 'deploy:toolhunt-api',
      kind: 'deploy',
      component: 'toolhunt-api',
      dependsOn: [],
      ...taskDetailsFor('deploy:toolhunt-api'),
    },
  ],
  warnings: [],
  summary: { toBuild: 0, toCreate: 1, toUpdate: 0, toRestart: 0, toDelete: 0, unchanged: 0 },
};

let api: TestApi;
let pollCount = 0;
let home: string;
const base = '/v1/tool/toolhunt';

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'deploy-cli-'));
  api = await startTestApi([
    {
      method: 'POST',
      path: `${base}/deploy`,
      handler: (request, response) => {
        const query = new URL(request.url, 'http://x').searchParams;
        if (query.get('only-plan') === 'true')
          return json(response, {
            data: planToJson(PLAN),
            messages: { info: ['Plan only: nothing was changed.'] },
          });
        const ids: Record<string, string> = { fail: FAIL_ID, poll: POLL_ID, hang: HANG_ID };
        const id = ids[query.get('description') ?? ''] ?? ID;
        json(response, {
          data: { ...deployment(id, 'pending'), plan: planToJson(PLAN) },
          messages: { info: ['Deployment for toolhunt created successfully.'], warning: [] },
        });
      },
    },
    {
      method: 'GET',
      path: `${base}/deployment/${HANG_ID}/events`,
      handler: (_q, r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        // And then nothing: a long build. The CLI is following now; tell the test that waits for that.
        r.write(frame(1, 'build:toolhunt-api', 'running'), () => hangFollowed?.());
      },
    },
    {
      method: 'GET',
      path: `${base}/deployment/${ID}/events`,
      handler: (q, r) => streamEvents(q, r, SUCCESS_FRAMES, 'successful', 5),
    },
    {
      method: 'GET',
      path: `${base}/deployment/${ID}`,
      handler: (_q, r) => json(r, { data: deployment(ID, 'successful', allSucceeded), messages: {} }),
    },
    {
      method: 'GET',
      path: `${base}/deployment/${FAIL_ID}/events`,
      handler: (q, r) => streamEvents(q, r, FAILURE_FRAMES, 'failed'),
    },
    {
      method: 'GET',
      path: `${base}/deployment/${FAIL_ID}`,
      handler: (_q, r) => json(r, { data: deployment(FAIL_ID, 'failed', failedStates), messages: {} }),
    },
    {
      method: 'GET',
      path: `${base}/deployment/${POLL_ID}`,
      handler: (_q, r) => {
        pollCount += 1; // running twice, then done: no events route on this "server"
        const done = pollCount > 2;
        json(r, {
          data: deployment(
            POLL_ID,
            done ? 'successful' : 'running',
            done ? allSucceeded : { 'build:toolhunt-api': 'succeeded' },
          ),
          messages: {},
        });
      },
    },
  ]);
});
after(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  TOOLFORGE_COMPONENTS_API_URL: api.url,
  TOOLFORGE_TOOL: 'toolhunt',
});

const EXPECTED = `Starting deploy for toolhunt (deployment ${ID})...
Building images:
[✅] toolhunt-cleanup
[✅] toolhunt-api
Deploying components:
[✅] toolhunt-api
[✅] toolhunt-cleanup (waiting for toolhunt-api)
[✅] toolhunt-flower (waiting for toolhunt-api)
All components deployed
`;

describe('deploy', { concurrency: 2 }, () => {
  test('sends the file with absolute repository paths, follows a dropped stream to the end, prints exactly the expected text', async () => {
    const file = join(home, 'toolforge.yaml');
    writeFileSync(
      file,
      'config-version: 0.1\ncomponents:\n  toolhunt-api:\n    type: continuous\n    build:\n      repository: ./toolhunt\n    run:\n      command: web\n',
    );
    const r = await runCli(['deploy', file], { env: env() });
    assert.equal(r.stdout, EXPECTED);
    assert.equal(r.code, 0, r.stderr);
    const posted = api.requests.find(
      (q) => q.method === 'POST' && q.url === `${base}/deploy` && q.body !== '',
    );
    assert.deepEqual(JSON.parse(posted?.body ?? '{}'), {
      'config-version': 0.1,
      components: {
        'toolhunt-api': {
          type: 'continuous',
          build: { repository: join(home, 'toolhunt') },
          run: { command: 'web' },
        },
      },
    });
    assert.equal(posted?.headers['x-toolforge-tool'], 'toolhunt');
    assert.deepEqual(lastEventIds.slice(0, 2), [undefined, '5'], 'reconnected after the 5 events it had');
  });

  test('a failed build: [❌] with the reason, dependents skipped with the cause, exit 1', async () => {
    const r = await runCli(['deploy', '--description', 'fail'], { env: env() });
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      [
        `Starting deploy for toolhunt (deployment ${FAIL_ID})...`,
        'Building images:',
        '[✅] toolhunt-cleanup',
        '[❌] toolhunt-api: Build failed: npm ci exited with 1',
        'Deploying components:',
        '[⏭] toolhunt-api (skipped: dependency toolhunt-api failed)',
        '[⏭] toolhunt-cleanup (skipped: dependency toolhunt-api failed)',
        '[⏭] toolhunt-flower (skipped: dependency toolhunt-api failed)',
        'Deployment failed: 1 failed, 3 skipped',
        '',
      ].join('\n'),
    );
  });

  test('no events route: polls the deployment instead, same output', async () => {
    const r = await runCli(['deploy', '--description', 'poll'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, EXPECTED.replace(ID, POLL_ID));
    assert.ok(pollCount >= 3);
  });

  test('--detach prints the id and returns; --only-plan prints the plan, exit 2 with --detailed-exitcode', async () => {
    const [detached, plan] = await Promise.all([
      runCli(['deploy', '--detach'], { env: env() }),
      runCli(['deploy', '--only-plan', '--detailed-exitcode'], { env: env() }),
    ]);
    assert.equal(detached.code, 0);
    assert.equal(detached.stdout, `${ID}\n`);
    assert.equal(plan.code, 2, plan.stderr);
    assert.match(plan.stdout, /Plan plan-abc for tool toolhunt/);
    assert.match(plan.stdout, /1 to create/);
    const onlyPlan = api.requests.find((q) => q.url.includes('only-plan=true'));
    assert.equal(onlyPlan?.body, '', 'no FILE: the stored config is planned');
  });

  test('Ctrl-C without a terminal stops watching (exit 1) and leaves the deployment alone', async () => {
    const r = await runCli(['deploy', '--description', 'hang'], {
      env: env(),
      onSpawn: (child) => {
        hangFollowed = () => child.kill('SIGINT');
      },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, `Starting deploy for toolhunt (deployment ${HANG_ID})...\n`);
    assert.match(r.stderr, new RegExp(`Stopped watching\\. Deployment ${HANG_ID} goes on`));
    assert.equal(api.requests.filter((q) => q.url.includes('/cancel')).length, 0);
  });
});
