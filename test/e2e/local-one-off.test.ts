/**
 * One-off components on the local runtime through the real API: `migrate` reuses `api`'s image and `api`
 * waits for it. A first deploy runs the migration to completion before the api starts (the timestamps each
 * process writes prove the order), a redeploy of the same config does not run it again, and a failing
 * migration (with the api rebuilt meanwhile) fails with its exit code and log while the old api keeps serving.
 * Each deploy's plan and task table is printed: the transcripts of issue 13.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  APP_FILES,
  commitFiles,
  httpText,
  openE2e,
  task,
  type DeployOutcome,
  type E2e,
} from '../support/local-e2e.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { Plan } from '../../src/model/plan.js';
import { renderToolStatus, type ToolStatusJson } from '../../src/cli/views/status-view.js';
import { painter } from '../../src/cli/output.js';

/** The app plus a migration that records when it ran; `node migrate.js fail` fails like a broken migration. */
const MIGRATING_APP: Readonly<Record<string, string>> = {
  ...APP_FILES,
  Procfile: `${APP_FILES.Procfile}migrate: node migrate.js\n`,
  'server.js': [
    "const { appendFileSync } = require('node:fs');",
    "appendFileSync(process.env.TOOL_DATA_DIR + '/order.log', `api-start ${Date.now()}\\n`);",
    APP_FILES['server.js'] ?? '',
  ].join('\n'),
  'migrate.js': [
    "const { appendFileSync } = require('node:fs');",
    "const log = (what) => appendFileSync(process.env.TOOL_DATA_DIR + '/order.log', `${what} ${Date.now()}\\n`);",
    "log('migrate-start');",
    "console.log('migrating the schema');",
    'setTimeout(() => {',
    "  if (process.argv[2] === 'fail') {",
    '    console.error(\'ERROR: column "owner" already exists\');',
    "    log('migrate-failed');",
    '    process.exit(3);',
    '  }',
    "  console.log('schema migrated');",
    "  log('migrate-end');",
    '}, 400);',
    '',
  ].join('\n'),
};

function transcript(title: string, plan: Plan, outcome: DeployOutcome): string {
  const tasks = outcome.tasks.map(
    (t) =>
      `  ${t.id.padEnd(16)} ${t.state.padEnd(9)} ${t.started_at ?? '-'} → ${t.finished_at ?? '-'}  ${t.reason ?? ''}`,
  );
  return [
    `=== ${title}`,
    renderPlanText(plan),
    `deployment ${outcome.id}: ${outcome.status}`,
    ...tasks,
    '',
  ].join('\n');
}

describe('local e2e: one-off components', () => {
  let e2e: E2e;
  let repo: string;
  const config = async (migrate: string): Promise<Record<string, unknown>> => ({
    'config-version': 0.1,
    components: {
      api: {
        type: 'continuous',
        build: { repository: repo },
        run: { port: await e2e.port('api'), 'health-check-http': '/healthz', publish: '/' },
        'wait-for': ['migrate'],
      },
      migrate: { type: 'one-off', build: { 'reuse-from': 'api' }, run: { command: migrate, timeout: 30 } },
    },
  });
  const order = (): string[] =>
    readFileSync(join(e2e.runtime.paths.toolDataDir(e2e.tool), 'order.log'), 'utf8')
      .trim()
      .split('\n');
  const at = (line: string | undefined): number => Number(line?.split(' ')[1]);

  before(async () => {
    e2e = await openE2e('oneoff');
    repo = join(e2e.dir, 'migrating-app');
    commitFiles(repo, MIGRATING_APP, 'v1');
  });
  after(() => e2e?.close());

  it('runs the migration to completion before the api starts', async () => {
    const first = await config('migrate');
    const plan = await e2e.plan(first);
    const outcome = await e2e.deploy(first);
    console.log(transcript('first deploy', plan, outcome));
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    const lines = order();
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]),
      ['migrate-start', 'migrate-end', 'api-start'],
    );
    assert.ok(at(lines[1]) <= at(lines[2]), lines.join('\n'));
    const run = task(outcome, 'deploy:migrate');
    const api = task(outcome, 'deploy:api');
    assert.ok(Date.parse(run.finished_at ?? '') <= Date.parse(api.started_at ?? ''));
    assert.match(run.reason ?? '', /^migrate completed \(exit code 0\)/);
    assert.equal(e2e.runtime.runs(e2e.tool, 'migrate').length, 1);
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^web v1/);
  });

  it('does not run an unchanged migration again on a redeploy', async () => {
    const same = await config('migrate');
    const plan = await e2e.plan(same);
    const migrate = plan.components.find((c) => c.name === 'migrate');
    assert.equal(migrate?.job.kind, 'no-op');
    assert.match(migrate?.reason ?? '', /^already ran for this image/);
    const outcome = await e2e.deploy(same);
    console.log(transcript('unchanged redeploy', plan, outcome));
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    assert.deepEqual(outcome.tasks, []);
    assert.equal(e2e.runtime.runs(e2e.tool, 'migrate').length, 1);
    assert.equal(order().length, 3);
  });

  it('a failing migration fails with its exit code and log, and the old api keeps serving', async () => {
    const apiPids = e2e.pids('api');
    commitFiles(
      repo,
      { ...MIGRATING_APP, 'server.js': (MIGRATING_APP['server.js'] ?? '').replace('"1"', '"2"') },
      'v2',
    );
    const failing = await config('node migrate.js fail');
    const plan = await e2e.plan(failing);
    assert.equal(plan.components.find((c) => c.name === 'api')?.job.kind, 'restart');
    assert.deepEqual(plan.components.find((c) => c.name === 'migrate')?.job, {
      kind: 'run',
      reason: 'changed',
    });
    const outcome = await e2e.deploy(failing);
    console.log(transcript('failing migration', plan, outcome));
    assert.equal(outcome.status, 'failed', outcome.longStatus);
    const run = task(outcome, 'deploy:migrate');
    assert.equal(run.state, 'failed');
    assert.match(run.reason ?? '', /^migrate failed with exit code 3/);
    assert.match(run.reason ?? '', /column "owner" already exists/);
    assert.doesNotMatch(run.reason ?? '', /\[run-1\]/, 'only the failed run is quoted');
    assert.equal(task(outcome, 'deploy:api').state, 'skipped');
    assert.equal(task(outcome, 'build:api').state, 'succeeded');
    // The api was neither restarted nor updated: same processes, still the old version.
    assert.deepEqual(e2e.pids('api'), apiPids);
    assert.match((await httpText(`http://127.0.0.1:${await e2e.port('api')}/`)) ?? '', /^web v1/);
    assert.equal(order().filter((l) => l.startsWith('api-start')).length, 1);
    const runs = e2e.runtime.runs(e2e.tool, 'migrate');
    assert.deepEqual(
      runs.map((r) => [r.state, r.exitCode]),
      [
        ['succeeded', 0],
        ['failed', 3],
      ],
    );
    // `logs migrate` shows both runs.
    const log: string[] = [];
    for await (const line of e2e.runtime.jobLogs(e2e.tool, 'migrate')) log.push(line);
    console.log(['=== logs migrate', ...log, ''].join('\n'));
    assert.equal(log.filter((l) => /starting \(deploy\)/.test(l)).length, 2);
  });

  it('status shows the last run of the one-off: when, for which image, its exit code', async () => {
    const response = await fetch(`${e2e.instance.url}/v1/tool/${e2e.tool}/status`, {
      headers: { 'x-toolforge-tool': e2e.tool },
    });
    const body = (await response.json()) as { data: ToolStatusJson };
    const lines = renderToolStatus(body.data, painter(false));
    console.log(['=== status', ...lines, ''].join('\n'));
    const line = lines.find((l) => l.startsWith('  migrate: last run'));
    assert.match(
      line ?? '',
      /^ {2}migrate: last run failed \(exit code 3\) at \d{4}-\d\d-\d\dT[\d:.]+Z, image tool-oneoff\/api:latest@sha256:/,
    );
  });
});
