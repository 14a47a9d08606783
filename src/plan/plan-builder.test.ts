import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyObservedState, refKey } from '../model/observed-state.js';
import type { JobRecord, ObservedState } from '../model/observed-state.js';
import type { ContinuousComponent, ToolConfig } from '../model/tool-config.js';
import { planDeployment, planHasChanges } from './plan-builder.js';
import { planString } from './plan-string.js';
import { PlanError } from './plan-error.js';
import { loadConfig } from '../config/load.js';
import {
  NO_OPTIONS,
  commitOf,
  deployedState,
  liveJob,
  successfulBuild,
  toolhuntConfig,
  withComponent,
} from '../../test/support/plan-fixtures.js';

test('toolhunt from an empty tool: independent builds, flower reuses api, api deployed first', () => {
  const plan = planDeployment(toolhuntConfig(), emptyObservedState('toolhunt'), NO_OPTIONS);
  assert.equal(
    planString(plan),
    [
      '[1] build:toolhunt-cleanup, build no-matching-build',
      '[2] build:toolhunt-api, build no-matching-build',
      '[3] deploy:toolhunt-api, create, after #2 completed',
      '[4] deploy:toolhunt-cleanup, create, after #1 completed, #3 healthy',
      '[5] deploy:toolhunt-flower, create, after #2 completed, #3 healthy',
    ].join('\n'),
  );
  assert.deepEqual(plan.summary, {
    toBuild: 2,
    toCreate: 3,
    toUpdate: 0,
    toRestart: 0,
    toDelete: 0,
    unchanged: 0,
  });
  assert.deepEqual(plan.warnings, []);
  const flower = plan.components.find((c) => c.name === 'toolhunt-flower');
  assert.deepEqual(flower?.build, { kind: 'from-component', component: 'toolhunt-api' });
  assert.equal(flower?.image, 'tool-toolhunt/toolhunt-api:latest');
  assert.ok(planHasChanges(plan));
});

test('no change: every component is a no-op and there are no tasks', () => {
  const config = toolhuntConfig();
  const plan = planDeployment(config, deployedState(config), NO_OPTIONS);
  assert.equal(
    planString(plan),
    [
      '- toolhunt-cleanup, no-op, reuse-build build-toolhunt-cleanup-2026-01-01',
      '- toolhunt-api, no-op, reuse-build build-toolhunt-api-2026-01-01',
      '- toolhunt-flower, no-op, from-component toolhunt-api',
    ].join('\n'),
  );
  assert.deepEqual(plan.summary, {
    toBuild: 0,
    toCreate: 0,
    toUpdate: 0,
    toRestart: 0,
    toDelete: 0,
    unchanged: 3,
  });
  assert.ok(!planHasChanges(plan));
});

test('normalised units and a pinned image digest are not changes', () => {
  const config = withComponent(toolhuntConfig(), 'toolhunt-api', (c) => ({
    ...(c as ContinuousComponent),
    run: { ...(c as ContinuousComponent).run, memory: '256Mi', cpu: '500m' },
  }));
  const observed = deployedState(config);
  const jobs = observed.jobs.map((j) =>
    j.name === 'toolhunt-api'
      ? { ...j, image: 'tool-toolhunt/toolhunt-api:latest', memory: '0.25Gi', cpu: '0.5', replicas: 1 }
      : j,
  );
  const plan = planDeployment(config, { ...observed, jobs }, NO_OPTIONS);
  assert.equal(plan.tasks.length, 0, planString(plan));
});

test('changed command: update with the field diff', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const changed = withComponent(
    config,
    'toolhunt-flower',
    (c) => ({ ...c, run: { ...c.run, command: 'flower --port 5555' } }) as ContinuousComponent,
  );
  const plan = planDeployment(changed, observed, NO_OPTIONS);
  assert.equal(planString(plan).split('\n')[0], '[1] deploy:toolhunt-flower, update command');
  const flower = plan.components.find((c) => c.name === 'toolhunt-flower');
  assert.deepEqual(flower?.job, {
    kind: 'update',
    changes: [{ field: 'command', before: 'flower', after: 'flower --port 5555' }],
  });
  assert.match(flower?.reason ?? '', /^changed: command; image: image of toolhunt-api$/);
  assert.equal(plan.summary.toUpdate, 1);
});

test('a removed field goes back to its default, which is a change', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const jobs = observed.jobs.map((j) => (j.name === 'toolhunt-api' ? { ...j, replicas: 3 } : j));
  const plan = planDeployment(config, { ...observed, jobs }, NO_OPTIONS);
  const api = plan.components.find((c) => c.name === 'toolhunt-api');
  assert.deepEqual(api?.job, {
    kind: 'update',
    changes: [{ field: 'replicas', before: 3, after: undefined }],
  });
});

test('new commit: build, then restart of the component and of its reuse-from child', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const moved: ObservedState = {
    ...observed,
    resolvedRefs: {
      ...observed.resolvedRefs,
      [refKey('./toolhunt', undefined)]: { ok: true, commit: commitOf('./toolhunt', 2) },
    },
  };
  const plan = planDeployment(config, moved, NO_OPTIONS);
  assert.equal(
    planString(plan),
    [
      '[1] build:toolhunt-api, build no-matching-build',
      '[2] deploy:toolhunt-api, restart image-rebuilt, after #1 completed',
      '[3] deploy:toolhunt-flower, restart image-rebuilt, after #1 completed, #2 healthy',
      '- toolhunt-cleanup, no-op, reuse-build build-toolhunt-cleanup-2026-01-01',
    ].join('\n'),
  );
  assert.deepEqual(plan.summary, {
    toBuild: 1,
    toCreate: 0,
    toUpdate: 0,
    toRestart: 2,
    toDelete: 0,
    unchanged: 1,
  });
});

test('forced build and forced run', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const forcedBuild = planDeployment(config, observed, { ...NO_OPTIONS, forceBuild: true });
  assert.deepEqual(
    forcedBuild.tasks.map((t) => t.id),
    [
      'build:toolhunt-cleanup',
      'build:toolhunt-api',
      'deploy:toolhunt-api',
      'deploy:toolhunt-cleanup',
      'deploy:toolhunt-flower',
    ],
  );
  assert.ok(forcedBuild.components.every((c) => c.build?.kind !== 'build' || c.build.reason === 'forced'));
  assert.ok(
    forcedBuild.components.every((c) => c.job.kind === 'restart' && c.job.reason === 'image-rebuilt'),
  );

  const forcedRun = planDeployment(config, observed, { ...NO_OPTIONS, forceRun: true });
  assert.equal(
    planString(forcedRun),
    [
      '[1] deploy:toolhunt-api, restart forced',
      '[2] deploy:toolhunt-cleanup, restart forced, after #1 healthy',
      '[3] deploy:toolhunt-flower, restart forced, after #1 healthy',
    ].join('\n'),
  );
});

test('a build still running is followed, not started again', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const commit = commitOf('./toolhunt', 2);
  const running = {
    ...successfulBuild('toolhunt', 'toolhunt-api', './toolhunt', commit, '2026-01-05T00:00:00.000Z'),
    state: 'running' as const,
    id: 'b-running',
  };
  const plan = planDeployment(
    config,
    {
      ...observed,
      builds: [...observed.builds, running],
      resolvedRefs: { ...observed.resolvedRefs, [refKey('./toolhunt', undefined)]: { ok: true, commit } },
    },
    NO_OPTIONS,
  );
  assert.equal(planString(plan).split('\n')[0], '[1] build:toolhunt-api, follow-build b-running');
  assert.equal(plan.summary.toBuild, 0);
  assert.equal(plan.summary.toRestart, 2);
});

test('a successful build no longer :latest of its image is not reused', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  // A newer build of another commit took the toolhunt-api:latest tag; the config's ref points back to commit 1.
  const newer = successfulBuild(
    'toolhunt',
    'toolhunt-api',
    './toolhunt',
    commitOf('./toolhunt', 9),
    '2026-02-01T00:00:00.000Z',
  );
  const plan = planDeployment(config, { ...observed, builds: [...observed.builds, newer] }, NO_OPTIONS);
  const api = plan.components.find((c) => c.name === 'toolhunt-api');
  assert.equal(api?.build?.kind, 'build');
});

test('orphans are left in place without prune and deleted last with it; unmanaged jobs are untouched', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const oldComponent = { ...config.components[1], name: 'old-worker' } as ContinuousComponent;
  const withOrphan: ObservedState = {
    ...observed,
    jobs: [
      ...observed.jobs,
      liveJob(oldComponent, 'tool-toolhunt/old-worker:latest'),
      { ...liveJob(oldComponent, 'x'), name: 'handmade' },
    ],
    previouslyManaged: [...observed.previouslyManaged, 'old-worker', 'gone-without-job'],
  };
  const kept = planDeployment(config, withOrphan, NO_OPTIONS);
  assert.equal(planString(kept).split('\n').at(-1), '- old-worker, leave-orphan');
  assert.deepEqual(kept.warnings, ['orphaned job old-worker left in place (use --prune to delete it)']);
  assert.equal(kept.tasks.length, 0);

  const changed = withComponent(
    config,
    'toolhunt-flower',
    (c) => ({ ...c, run: { ...c.run, command: 'other' } }) as ContinuousComponent,
  );
  const pruned = planDeployment(changed, withOrphan, { ...NO_OPTIONS, prune: true });
  assert.equal(
    planString(pruned),
    [
      '[1] deploy:toolhunt-flower, update command',
      '[2] delete:old-worker, delete, after #1 completed',
      '- toolhunt-cleanup, no-op, reuse-build ' +
        (pruned.components[0]?.build?.kind === 'reuse-build' ? pruned.components[0].build.buildId : ''),
      '- toolhunt-api, no-op, reuse-build ' +
        (pruned.components[1]?.build?.kind === 'reuse-build' ? pruned.components[1].build.buildId : ''),
    ].join('\n'),
  );
  assert.equal(pruned.summary.toDelete, 1);
  assert.ok(!pruned.components.some((c) => c.name === 'handmade'));
});

test('an unresolvable ref still plans a build, with a warning', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const plan = planDeployment(
    config,
    {
      ...observed,
      resolvedRefs: {
        ...observed.resolvedRefs,
        [refKey('./toolhunt', undefined)]: { ok: false, error: 'git ls-remote ./toolhunt: timed out' },
      },
    },
    NO_OPTIONS,
  );
  const api = plan.components.find((c) => c.name === 'toolhunt-api');
  assert.equal(api?.build?.kind === 'build' && api.build.reason, 'unresolved-ref');
  assert.equal(api?.build?.kind === 'build' && api.build.commit, undefined);
  assert.deepEqual(plan.warnings, ['cannot resolve ref: git ls-remote ./toolhunt: timed out']);
});

test('components with the same repository, commit and flags share one build', () => {
  const base = toolhuntConfig();
  const api = base.components[1] as ContinuousComponent;
  const config: ToolConfig = {
    ...base,
    components: [api, { ...api, name: 'toolhunt-api-2', run: { command: 'worker' } }],
  };
  const plan = planDeployment(config, emptyObservedState('toolhunt'), NO_OPTIONS);
  assert.equal(
    planString(plan),
    [
      '[1] build:toolhunt-api, build no-matching-build shared-with toolhunt-api-2',
      '[2] deploy:toolhunt-api, create, after #1 completed',
      '[3] deploy:toolhunt-api-2, create, after #1 completed',
    ].join('\n'),
  );
  assert.deepEqual(plan.components[1]?.build, { kind: 'shared-build', component: 'toolhunt-api' });
  assert.equal(plan.components[1]?.image, 'tool-toolhunt/toolhunt-api:latest');
  assert.equal(plan.summary.toBuild, 1);
});

test('only: the named components plus their build parents; waits on unselected ones are dropped', () => {
  const plan = planDeployment(toolhuntConfig(), emptyObservedState('toolhunt'), {
    ...NO_OPTIONS,
    only: ['toolhunt-flower'],
  });
  assert.equal(
    planString(plan),
    [
      '[1] build:toolhunt-api, build no-matching-build',
      '[2] deploy:toolhunt-flower, create, after #1 completed',
      '- toolhunt-cleanup, no-op',
      '- toolhunt-api, no-op, build no-matching-build',
    ].join('\n'),
  );
  assert.match(plan.components[1]?.reason ?? '', /^not selected by --only; only its image is built/);
  assert.throws(
    () => planDeployment(toolhuntConfig(), emptyObservedState('t'), { ...NO_OPTIONS, only: ['nope'] }),
    PlanError,
  );
});

test('a wait on a no-op component is dropped: it already runs as configured', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const changed = withComponent(
    config,
    'toolhunt-flower',
    (c) => ({ ...c, run: { ...c.run, port: 5556 } }) as ContinuousComponent,
  );
  const plan = planDeployment(changed, observed, NO_OPTIONS);
  assert.deepEqual(
    plan.tasks.map(({ id, kind, component, dependsOn }) => ({ id, kind, component, dependsOn })),
    [{ id: 'deploy:toolhunt-flower', kind: 'deploy', component: 'toolhunt-flower', dependsOn: [] }],
  );
});

test('a scheduled dependency is waited for until registered', () => {
  const config = withComponent(toolhuntConfig(), 'toolhunt-api', (c) => ({
    ...c,
    waitFor: ['toolhunt-cleanup'],
  }));
  const noCycle: ToolConfig = withComponent(config, 'toolhunt-cleanup', (c) => ({ ...c, waitFor: [] }));
  const plan = planDeployment(noCycle, emptyObservedState('toolhunt'), NO_OPTIONS);
  const api = plan.tasks.find((t) => t.id === 'deploy:toolhunt-api');
  assert.deepEqual(api?.dependsOn, [
    { task: 'build:toolhunt-api', condition: 'completed' },
    { task: 'deploy:toolhunt-cleanup', condition: 'registered' },
  ]);
  assert.throws(
    () => planDeployment(config, emptyObservedState('toolhunt'), NO_OPTIONS),
    /dependency cycle: deploy:toolhunt-cleanup -> deploy:toolhunt-api -> deploy:toolhunt-cleanup/,
  );
});

test('migration pattern: a component reusing the image of one that waits for it deploys first', () => {
  // migrate runs api's image, api waits for migrate: a component-level loop, but not a task-level one.
  const { config, diagnostics } = loadConfig(
    [
      'config-version: 0.1',
      'components:',
      '  api:',
      '    build: {repository: ./api}',
      '    wait-for: [migrate]',
      '  migrate:',
      '    type: scheduled',
      '    build: {reuse-from: api}',
      '    run: {command: migrate, schedule: "@daily"}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  const plan = planDeployment(config as ToolConfig, emptyObservedState('t'), NO_OPTIONS);
  assert.equal(
    planString(plan),
    [
      '[1] build:api, build no-matching-build',
      '[2] deploy:migrate, create, after #1 completed',
      '[3] deploy:api, create, after #1 completed, #2 registered',
    ].join('\n'),
  );
});

test('build envvars: a change of envvars is a new build (and a new plan id); the same envvars reuse the build', () => {
  const config = toolhuntConfig();
  const withEnvvars = withComponent(config, 'toolhunt-api', (c) =>
    c.build.kind === 'source' ? { ...c, build: { ...c.build, envvars: { FLASK_ENV: 'production' } } } : c,
  );
  // Deployed without envvars: the api (and flower, which runs its image) are rebuilt / restarted.
  const observed = deployedState(config);
  const plan = planDeployment(withEnvvars, observed, NO_OPTIONS);
  const api = plan.components.find((c) => c.name === 'toolhunt-api');
  assert.equal(api?.build?.kind, 'build');
  assert.match(api?.reason ?? '', /with these build envvars$/);
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    ['build:toolhunt-api', 'deploy:toolhunt-api', 'deploy:toolhunt-flower'],
  );
  assert.notEqual(plan.configDigest, planDeployment(config, observed, NO_OPTIONS).configDigest);
  // Deployed with the same envvars (in another order): nothing to do.
  const built = {
    ...observed,
    builds: observed.builds.map((b) =>
      b.imageName === 'toolhunt-api' ? { ...b, envvars: { FLASK_ENV: 'production' } } : b,
    ),
  };
  assert.deepEqual(planDeployment(withEnvvars, built, NO_OPTIONS).tasks, []);
  // Envvars {} and none are the same build.
  const empty = withComponent(config, 'toolhunt-api', (c) =>
    c.build.kind === 'source' ? { ...c, build: { ...c.build, envvars: {} } } : c,
  );
  assert.deepEqual(planDeployment(empty, observed, NO_OPTIONS).tasks, []);
});

test('deterministic: equal inputs give byte-identical plans; ids follow config, status and options', () => {
  const config = toolhuntConfig();
  const observed = deployedState(config);
  const a = planDeployment(config, observed, NO_OPTIONS);
  const b = planDeployment(
    toolhuntConfig(),
    { ...observed, observedAt: '2030-01-01T00:00:00.000Z' },
    NO_OPTIONS,
  );
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const live = {
    ...observed,
    jobs: observed.jobs.map((j) => ({ ...j, state: 'crash-looping' as const, message: 'boom' })),
  };
  assert.equal(planDeployment(config, live, NO_OPTIONS).id, a.id);
  assert.notEqual(planDeployment(config, observed, { ...NO_OPTIONS, forceRun: true }).id, a.id);
  const other = withComponent(config, 'toolhunt-flower', (c) => ({ ...c, description: 'x' }));
  const c = planDeployment(other, observed, NO_OPTIONS);
  assert.notEqual(c.configDigest, a.configDigest);
  assert.equal(c.statusRevision, a.statusRevision);
  assert.notEqual(c.id, a.id);
});

test("a one-off's last run is part of the status revision: its end makes a new plan", async () => {
  const { statusRevision } = await import('./digest.js');
  const observed = deployedState(toolhuntConfig());
  const job = observed.jobs[0];
  assert.ok(job);
  const withRun = (lastRun: JobRecord['lastRun']) =>
    statusRevision({ ...observed, jobs: [{ ...job, lastRun }] });
  const running = withRun({ state: 'running', startedAt: '2026-01-01T00:00:00Z' });
  const failed = withRun({ state: 'failed', exitCode: 1, startedAt: '2026-01-01T00:00:00Z' });
  assert.notEqual(running, failed);
  assert.notEqual(failed, withRun({ state: 'succeeded', exitCode: 0, startedAt: '2026-01-01T00:00:00Z' }));
  assert.equal(
    running,
    withRun({ state: 'running', startedAt: '2026-01-01T00:00:00Z', message: 'live text' }),
  );
});

test('canonical JSON ignores key order and undefined values', async () => {
  const { canonicalJson } = await import('./digest.js');
  const a = { b: 1, a: { y: [1, { q: 2, p: undefined }], x: 'z' } };
  const b = { a: { x: 'z', y: [1, { q: 2 }] }, b: 1 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson(a), '{"a":{"x":"z","y":[1,{"q":2}]},"b":1}');
});
