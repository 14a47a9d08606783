import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pacing } from './pacing.js';
import type { BuildRecord } from '../model/observed-state.js';

const TICK = { minMs: 100, maxMs: 3_000 };

/** The looks a build started at 0 gets until `until` (ms), each next look after the previous one. */
function looks(pacing: Pacing, image: string, until: number): number[] {
  const out: number[] = [];
  let last = 0;
  while (last < until) {
    last = pacing.nextBuildLook(image, 0, last, TICK);
    out.push(last);
  }
  return out;
}

function finished(image: string, ms: number): BuildRecord {
  return {
    id: `${image}-1`,
    imageName: image,
    repository: `https://gitlab.example/${image}`,
    useLatestVersions: false,
    useDeprecatedVersions: false,
    state: 'successful',
    startedAt: new Date(0).toISOString(),
    finishedAt: new Date(ms).toISOString(),
  };
}

const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number));

describe('build pacing', () => {
  it('looks at a build of unknown length at 1 s, then a quarter of its age apart, at most 3 s apart', () => {
    const times = looks(new Pacing(), 'api', 60_000);
    assert.equal(times[0], 1_000);
    // Fewer than upstream's pace: a look every 2 s is 30 in a minute.
    assert.ok(times.length < 30, `${times.length} looks in a minute`);
    for (const [i, gap] of gaps(times).entries()) {
      assert.ok(gap <= 3_000, `gap ${gap}`);
      assert.ok(
        gap <= Math.max(TICK.minMs, Math.round((times[i] as number) / 4)),
        `gap ${gap} at ${times[i]}`,
      );
    }
  });

  it('looks at a new image first when the tool’s shortest build would end, then by its age', () => {
    const pacing = new Pacing();
    pacing.learnBuilds([finished('api', 36_000)]);
    const times = looks(pacing, 'worker', 60_000);
    assert.equal(times[0], 36_000);
    // by age: 9 s after the first look would be a quarter of 36 s, capped at 3 s; no dense looks near 36 s
    assert.deepEqual(gaps(times.slice(0, 4)), [3_000, 3_000, 3_000]);
  });

  it('looks at an image built before when its last build took, then often while it most likely ends', () => {
    const pacing = new Pacing();
    pacing.learnBuilds([finished('api', 40_000)]);
    const times = looks(pacing, 'api', 45_000);
    assert.equal(times[0], 40_000);
    assert.ok(gaps(times).every((gap) => gap <= 1_000));
  });
});
