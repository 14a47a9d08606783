/**
 * Rollback plans: a component pinned to the commit an earlier deployment built reuses that build while its
 * image (pinned by digest) still exists, even though a newer build took `:latest`, and otherwise builds the
 * commit itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildRecord, ObservedState } from '../../model/observed-state.js';
import { refKey } from '../../model/observed-state.js';
import { planDeployment } from '../plan-builder.js';
import { renderPlanText } from '../render-text.js';
import {
  NO_OPTIONS,
  commitOf,
  liveJob,
  successfulBuild,
  toolhuntConfig,
} from '../../../test/support/plan-fixtures.js';
import type { ToolConfig } from '../../model/tool-config.js';

const digestOf = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function digestBuild(n: number, day: number): BuildRecord {
  const base = successfulBuild(
    'toolhunt',
    'toolhunt-api',
    './toolhunt',
    commitOf('./toolhunt', n),
    `2026-01-0${day}T00:00:00.000Z`,
  );
  return { ...base, id: `build-api-${n}`, image: `${base.image ?? ''}@${digestOf(n)}` };
}

/** Built at commit 1, then at commit 2 (now `:latest`), the jobs running commit 2's image. */
function afterSecondDeploy(config: ToolConfig): ObservedState {
  const first = digestBuild(1, 1);
  const second = digestBuild(2, 2);
  const cleanup = successfulBuild(
    'toolhunt',
    'toolhunt-cleanup',
    './toolhunt-cleanup',
    commitOf('./toolhunt-cleanup'),
    '2026-01-01T00:00:00.000Z',
  );
  const jobs = config.components.map((c) =>
    liveJob(c, c.name === 'toolhunt-cleanup' ? (cleanup.image ?? '') : (second.image ?? '')),
  );
  return {
    tool: 'toolhunt',
    observedAt: '2026-01-10T00:00:00.000Z',
    builds: [first, second, cleanup],
    jobs,
    previouslyManaged: config.components.map((c) => c.name),
    resolvedRefs: {
      [refKey('./toolhunt', undefined)]: { ok: true, commit: commitOf('./toolhunt', 2) },
      [refKey('./toolhunt-cleanup', undefined)]: { ok: true, commit: commitOf('./toolhunt-cleanup') },
    },
  };
}

const byName = (plan: ReturnType<typeof planDeployment>, name: string) =>
  plan.components.find((c) => c.name === name);

test('a pinned commit reuses its older build by digest (no build task) and restarts onto that image', () => {
  const config = toolhuntConfig();
  const observed = afterSecondDeploy(config);
  const plan = planDeployment(config, observed, {
    ...NO_OPTIONS,
    pinnedCommits: {
      'toolhunt-api': commitOf('./toolhunt', 1),
      'toolhunt-cleanup': commitOf('./toolhunt-cleanup'),
    },
    rollbackTo: '20260101-000000-aaaaaaaaaa',
  });
  const api = byName(plan, 'toolhunt-api');
  assert.deepEqual(api?.build, {
    kind: 'reuse-build',
    buildId: 'build-api-1',
    commit: commitOf('./toolhunt', 1),
    image: `tools-harbor.wmcloud.org/tool-toolhunt/toolhunt-api:latest@${digestOf(1)}`,
  });
  assert.equal(api?.job.kind, 'restart');
  assert.match(
    api?.reason ?? '',
    /^runs another existing build of its image; image: reusing build build-api-1 /,
  );
  assert.equal(
    byName(plan, 'toolhunt-flower')?.job.kind,
    'restart',
    'the reuse-from child follows the image',
  );
  assert.equal(byName(plan, 'toolhunt-cleanup')?.job.kind, 'no-op');
  assert.equal(plan.summary.toBuild, 0);
  assert.deepEqual(
    plan.tasks.map((t) => t.id),
    ['deploy:toolhunt-api', 'deploy:toolhunt-flower'],
  );
  assert.equal(plan.rollbackTo, '20260101-000000-aaaaaaaaaa');
  assert.match(
    renderPlanText(plan).split('\n')[0] ?? '',
    /^Rollback to deployment 20260101-000000-aaaaaaaaaa: Plan [0-9a-f]+ for tool toolhunt$/,
  );
});

test('without a pin the same older build is not reused: the ref decides', () => {
  const config = toolhuntConfig();
  const plan = planDeployment(config, afterSecondDeploy(config), NO_OPTIONS);
  assert.equal(byName(plan, 'toolhunt-api')?.build?.kind, 'reuse-build');
  assert.equal(
    (byName(plan, 'toolhunt-api')?.build as { buildId: string } | undefined)?.buildId,
    'build-api-2',
  );
  assert.equal(plan.tasks.length, 0);
  assert.equal(plan.rollbackTo, undefined);
});

test('a pinned commit whose build is gone is built again at that commit (the request ref is the commit)', () => {
  const config = toolhuntConfig();
  const observed = afterSecondDeploy(config);
  const gone: ObservedState = { ...observed, builds: observed.builds.filter((b) => b.id !== 'build-api-1') };
  const commit = commitOf('./toolhunt', 1);
  const plan = planDeployment(config, gone, { ...NO_OPTIONS, pinnedCommits: { 'toolhunt-api': commit } });
  const api = byName(plan, 'toolhunt-api');
  assert.equal(api?.build?.kind, 'build');
  assert.match(api?.reason ?? '', /rebuilding \.\/toolhunt at toolhunt0000: no image of that build is left/);
  const build = plan.tasks.find((t) => t.id === 'build:toolhunt-api');
  assert.ok(build && build.operation.kind === 'start-build');
  assert.equal(build.operation.request.ref, commit);
});

test('pins and the rollback target are part of the plan id', () => {
  const config = toolhuntConfig();
  const observed = afterSecondDeploy(config);
  const plain = planDeployment(config, observed, NO_OPTIONS);
  const pinned = planDeployment(config, observed, {
    ...NO_OPTIONS,
    pinnedCommits: { 'toolhunt-api': commitOf('./toolhunt', 1) },
  });
  assert.notEqual(plain.id, pinned.id);
});
