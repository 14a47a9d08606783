import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planDeployment } from '../plan-builder.js';
import { emptyObservedState, type BuildRecord } from '../../model/observed-state.js';
import { configFor } from '../../../test/support/executor-kit.js';
import { planToJson } from '../render-json.js';
import { planFromJson } from '../read-plan-json.js';

const OPTIONS = { forceBuild: true, forceRun: false, prune: false };

function build(imageName: string, start: string, seconds: number, state: BuildRecord['state']): BuildRecord {
  const startedAt = new Date(`2026-06-01T${start}Z`);
  return {
    id: `${imageName}-${start}`,
    imageName,
    repository: `https://gitlab.wikimedia.org/toolforge-repos/${imageName}`,
    resolvedCommit: 'a'.repeat(40),
    useLatestVersions: false,
    useDeprecatedVersions: false,
    state,
    startedAt: startedAt.toISOString(),
    ...(state === 'running'
      ? {}
      : { finishedAt: new Date(startedAt.getTime() + seconds * 1000).toISOString() }),
  };
}

function expectedOf(plan: ReturnType<typeof planDeployment>, component: string): number | undefined {
  const op = plan.tasks.find((t) => t.id === `build:${component}`)?.operation;
  assert.equal(op?.kind, 'start-build');
  return op.kind === 'start-build' ? op.expectedMs : undefined;
}

describe('plan: expected build durations', () => {
  it("expects a build to take as long as its image's newest successful build took", () => {
    const config = configFor([{ name: 'api' }, { name: 'worker' }]);
    const observed = {
      ...emptyObservedState('t'),
      builds: [
        build('api', '10:00:00', 40, 'successful'),
        build('api', '11:00:00', 55, 'successful'),
        build('api', '12:00:00', 5, 'failed'),
        build('api', '12:30:00', 0, 'running'),
      ],
    };
    const plan = planDeployment(config, observed, OPTIONS);
    assert.equal(expectedOf(plan, 'api'), 55_000);
    assert.equal(expectedOf(plan, 'worker'), undefined, 'an image never built has no expectation');
  });

  it('keeps the expectation through the plan JSON', () => {
    const config = configFor([{ name: 'api' }]);
    const observed = { ...emptyObservedState('t'), builds: [build('api', '10:00:00', 42, 'successful')] };
    const plan = planDeployment(config, observed, OPTIONS);
    const read = planFromJson(JSON.parse(JSON.stringify(planToJson(plan))));
    assert.equal(expectedOf(read, 'api'), 42_000);
  });
});
