import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyObservedState, refKey } from '../model/observed-state.js';
import type { ContinuousComponent } from '../model/tool-config.js';
import { planDeployment } from './plan-builder.js';
import {
  OPERATION_KINDS,
  TASK_REASON_CODES,
  type ComponentPlan,
  type Plan,
  type PlanTask,
} from '../model/plan.js';
import { renderPlanText } from './render-text.js';
import { renderPlanJson, PLAN_JSON_FORMAT_VERSION } from './render-json.js';
import { planFromJson } from './read-plan-json.js';
import {
  NO_OPTIONS,
  deployedState,
  taskDetailsFor,
  toolhuntConfig,
  withComponent,
} from '../../test/support/plan-fixtures.js';

function toolhuntPlan() {
  return planDeployment(toolhuntConfig(), emptyObservedState('toolhunt'), NO_OPTIONS);
}

test('text: the toolhunt plan from an empty tool', () => {
  const plan = toolhuntPlan();
  assert.equal(
    renderPlanText(plan),
    `Plan ${plan.id} for tool toolhunt

Jobs:   + create  ~ update  ↻ restart  - delete
Images: * new build  > follow a running build  = reuse a build  ^ image of another component

  * +   toolhunt-cleanup  create  (no job yet; image: no build of ./toolhunt-cleanup yet)
  * +   toolhunt-api      create  (no job yet; image: no build of ./toolhunt yet)
  ^ +   toolhunt-flower   create  (no job yet; image: image of toolhunt-api)

Task order:
  [1] build toolhunt-cleanup
  [2] build toolhunt-api
  [3] deploy toolhunt-api  (after build toolhunt-api)
  [4] deploy toolhunt-cleanup  (after build toolhunt-cleanup, waits for toolhunt-api healthy)
  [5] deploy toolhunt-flower  (after build toolhunt-api, waits for toolhunt-api healthy)

Plan: 2 to build, 3 to create, 0 to update, 0 to restart, 0 to delete.
`,
  );
});

test('text: updates list their field diffs, warnings and orphans are shown', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const changed = withComponent(
    config,
    'toolhunt-flower',
    (c) => ({ ...c, run: { ...c.run, command: 'flower -v', replicas: 2 } }) as ContinuousComponent,
  );
  const plan = planDeployment(
    changed,
    {
      ...observed,
      jobs: [...observed.jobs, { ...observed.jobs[2]!, name: 'old' }],
      previouslyManaged: [...observed.previouslyManaged, 'old'],
      resolvedRefs: {
        ...observed.resolvedRefs,
        [refKey('./toolhunt-cleanup', undefined)]: { ok: false, error: 'unreachable' },
      },
    },
    NO_OPTIONS,
  );
  const text = renderPlanText(plan);
  assert.match(text, /^Jobs: {3}\+ create {2}~ update {2}↻ restart {2}- delete {2}! orphan left in place$/m);
  assert.ok(
    text.includes(
      [
        '  ^ ~   toolhunt-flower   update         (changed: command, replicas; image: image of toolhunt-api)',
        '          command: "flower" → "flower -v"',
        '          replicas: (default) → 2',
        '    !   old               left in place  (orphaned: no longer in the configuration (use --prune to delete it))',
      ].join('\n'),
    ),
    text,
  );
  assert.match(
    text,
    /^Warnings:\n {2}warning: cannot resolve ref: unreachable\n {2}warning: orphaned job old left in place/m,
  );
  assert.match(text, /^ {2}\[3\] deploy toolhunt-flower$/m);
  assert.match(text, /Plan: 1 to build, 0 to create, 1 to update, 1 to restart, 0 to delete\.\n$/);
});

test('text: no changes, and colour only when asked', () => {
  const config = toolhuntConfig();
  const plan = planDeployment(config, deployedState(config), NO_OPTIONS);
  const text = renderPlanText(plan);
  assert.ok(text.endsWith('No changes. The tool matches the configuration.\n'));
  assert.ok(!text.includes('Task order:'));
  assert.ok(!text.includes('\u001b['));
  assert.ok(renderPlanText(plan, { color: true }).includes('\u001b[1mNo changes.'));
});

test('text: a plan of 250 000 components renders (no argument spread over the components)', () => {
  const n = 250_000;
  const components: ComponentPlan[] = [];
  const tasks: PlanTask[] = [];
  const details = taskDetailsFor('deploy:c');
  for (let i = 0; i < n; i++) {
    components.push({
      name: `c${i}`,
      type: 'continuous',
      job: { kind: 'create' },
      reason: 'no job yet',
      waitFor: [],
    });
    tasks.push({ id: `deploy:c${i}`, kind: 'deploy', component: `c${i}`, dependsOn: [], ...details });
  }
  const summary = { toBuild: 0, toCreate: n, toUpdate: 0, toRestart: 0, toDelete: 0, unchanged: 0 };
  const plan: Plan = { ...toolhuntPlan(), components, tasks, warnings: ['w'], summary };
  const lines = renderPlanText(plan).split('\n');
  assert.ok(lines.includes('    +   c249999  create  (no job yet)'));
  assert.ok(lines.includes(`  [${n}] deploy c249999`));
});

test('json: snapshot of the toolhunt plan', () => {
  const plan = toolhuntPlan();
  const json = JSON.parse(renderPlanJson(plan)) as Record<string, unknown>;
  assert.equal(json.format_version, PLAN_JSON_FORMAT_VERSION);
  const request = (name: string, repository: string) => ({
    image_name: name,
    repository,
    use_latest_versions: false,
    use_deprecated_versions: false,
    envvars: {},
  });
  const healthy = { kind: 'healthy', observed: 'health-check' };
  const created = { code: 'create-job', text: 'no job yet' };
  assert.deepEqual(json, {
    format_version: '1.1',
    plan_id: plan.id,
    tool: 'toolhunt',
    config_digest: plan.configDigest,
    status_revision: plan.statusRevision,
    has_changes: true,
    summary: { to_build: 2, to_create: 3, to_update: 0, to_restart: 0, to_delete: 0, unchanged: 0 },
    components: [
      {
        name: 'toolhunt-cleanup',
        type: 'scheduled',
        build: {
          kind: 'build',
          reason: 'no-matching-build',
          repository: './toolhunt-cleanup',
          shared_with: [],
          detail: 'no build of ./toolhunt-cleanup yet',
        },
        job: { kind: 'create' },
        reason: 'no job yet; image: no build of ./toolhunt-cleanup yet',
        wait_for: ['toolhunt-api'],
        image: 'tool-toolhunt/toolhunt-cleanup:latest',
      },
      {
        name: 'toolhunt-api',
        type: 'continuous',
        build: {
          kind: 'build',
          reason: 'no-matching-build',
          repository: './toolhunt',
          shared_with: [],
          detail: 'no build of ./toolhunt yet',
        },
        job: { kind: 'create' },
        reason: 'no job yet; image: no build of ./toolhunt yet',
        wait_for: [],
        image: 'tool-toolhunt/toolhunt-api:latest',
      },
      {
        name: 'toolhunt-flower',
        type: 'continuous',
        build: { kind: 'from-component', component: 'toolhunt-api' },
        job: { kind: 'create' },
        reason: 'no job yet; image: image of toolhunt-api',
        wait_for: ['toolhunt-api'],
        image: 'tool-toolhunt/toolhunt-api:latest',
      },
    ],
    tasks: [
      {
        id: 'build:toolhunt-cleanup',
        kind: 'build',
        component: 'toolhunt-cleanup',
        depends_on: [],
        operation: { kind: 'start-build', request: request('toolhunt-cleanup', './toolhunt-cleanup') },
        ready: { kind: 'completed' },
        reason: { code: 'no-matching-build', text: 'no build of ./toolhunt-cleanup yet' },
      },
      {
        id: 'build:toolhunt-api',
        kind: 'build',
        component: 'toolhunt-api',
        depends_on: [],
        operation: { kind: 'start-build', request: request('toolhunt-api', './toolhunt') },
        ready: { kind: 'completed' },
        reason: { code: 'no-matching-build', text: 'no build of ./toolhunt yet' },
      },
      {
        id: 'deploy:toolhunt-api',
        kind: 'deploy',
        component: 'toolhunt-api',
        depends_on: [{ task: 'build:toolhunt-api', condition: 'completed' }],
        operation: {
          kind: 'upsert-job',
          spec: {
            name: 'toolhunt-api',
            type: 'continuous',
            command: 'web',
            port: 8000,
            publish: '/',
            health_check: { type: 'http', path: '/healthz' },
          },
          image: { kind: 'from-build', task: 'build:toolhunt-api' },
        },
        ready: healthy,
        reason: created,
      },
      {
        id: 'deploy:toolhunt-cleanup',
        kind: 'deploy',
        component: 'toolhunt-cleanup',
        depends_on: [
          { task: 'build:toolhunt-cleanup', condition: 'completed' },
          { task: 'deploy:toolhunt-api', condition: 'healthy' },
        ],
        operation: {
          kind: 'upsert-job',
          spec: { name: 'toolhunt-cleanup', type: 'scheduled', command: 'cleanup', schedule: '*/5 * * * *' },
          image: { kind: 'from-build', task: 'build:toolhunt-cleanup' },
        },
        ready: { kind: 'registered' },
        reason: created,
      },
      {
        id: 'deploy:toolhunt-flower',
        kind: 'deploy',
        component: 'toolhunt-flower',
        depends_on: [
          { task: 'build:toolhunt-api', condition: 'completed' },
          { task: 'deploy:toolhunt-api', condition: 'healthy' },
        ],
        operation: {
          kind: 'upsert-job',
          spec: { name: 'toolhunt-flower', type: 'continuous', command: 'flower', port: 5555 },
          image: { kind: 'from-build', task: 'build:toolhunt-api' },
        },
        ready: { kind: 'healthy', observed: 'stability' },
        reason: created,
      },
    ],
    warnings: [],
  });
});

test('json: field changes use snake_case names and null for unset', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const jobs = observed.jobs.map((j) =>
    j.name === 'toolhunt-api' ? { ...j, portProtocol: 'udp' as const } : j,
  );
  const json = JSON.parse(renderPlanJson(planDeployment(config, { ...observed, jobs }, NO_OPTIONS))) as {
    components: Array<{ job: unknown }>;
  };
  assert.deepEqual(json.components[1]?.job, {
    kind: 'update',
    changes: [{ field: 'port_protocol', before: 'udp', after: null }],
  });
});

test('docs/plan-json.md documents every kind, reason and condition', async () => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/plan-json.md', import.meta.url), 'utf8');
  const values = [
    ...['build', 'reuse-build', 'follow-build', 'from-component', 'shared-build'],
    ...['no-matching-build', 'forced', 'unresolved-ref', 'image-rebuilt'],
    ...['create', 'update', 'restart', 'no-op', 'delete', 'leave-orphan'],
    ...['completed', 'healthy', 'registered', 'format_version', 'plan_id', 'status_revision', 'has_changes'],
    ...OPERATION_KINDS,
    ...TASK_REASON_CODES,
    ...['operation', 'ready', 'health-check', 'stability', 'known', 'from-build'],
  ];
  for (const value of values) assert.ok(doc.includes(`\`${value}\``), `${value} is not documented`);
});

test('json: a plan read back from its JSON carries the same operations', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const changed = withComponent(
    config,
    'toolhunt-api',
    (c) =>
      ({
        ...c,
        build: { ...c.build, envvars: { PIP_INDEX_URL: 'https://x' } },
      }) as ContinuousComponent,
  );
  for (const plan of [toolhuntPlan(), planDeployment(changed, observed, { ...NO_OPTIONS, forceRun: true })]) {
    assert.deepEqual(planFromJson(JSON.parse(renderPlanJson(plan))), plan);
  }
});
