import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusSnapshot, StatusSnapshotError } from './status-snapshot.js';
import { deployedState, toolhuntConfig } from '../../test/support/plan-fixtures.js';

test('our ObservedState JSON round-trips', () => {
  const observed = deployedState(toolhuntConfig());
  assert.deepEqual(parseStatusSnapshot(JSON.stringify(observed), 'other'), observed);
});

test('raw builds-api and jobs-api list responses are decoded', () => {
  const snapshot = {
    builds: {
      builds: [
        {
          build_id: 't1-buildpacks-pipelinerun-abcde',
          start_time: '2026-01-01T00:00:00Z',
          status: 'BUILD_SUCCESS',
          resolved_ref: 'c0ffee',
          destination_image: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
          parameters: {
            source_url: 'https://gitlab.wikimedia.org/t1/web',
            ref: 'main',
            image_name: 'web',
            use_latest_versions: false,
          },
        },
      ],
      messages: {},
    },
    jobs: {
      jobs: [
        {
          name: 'web',
          cmd: 'web',
          imagename: 'tool-t1/web:latest@sha256:abc123',
          memory: '0.25Gi',
          cpu: '0.5',
          job_type: 'continuous',
          replicas: 2,
          port: 8000,
          health_check: { path: '/healthz', type: 'http' },
          status: { short: 'running', messages: [] },
        },
      ],
      messages: {},
    },
    resolved_refs: { 'https://gitlab.wikimedia.org/t1/web#main': 'c0ffee' },
    previously_managed: ['web'],
  };
  const observed = parseStatusSnapshot(JSON.stringify(snapshot), 't1');
  assert.equal(observed.tool, 't1');
  assert.deepEqual(observed.builds[0], {
    id: 't1-buildpacks-pipelinerun-abcde',
    imageName: 'web',
    image: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
    repository: 'https://gitlab.wikimedia.org/t1/web',
    ref: 'main',
    resolvedCommit: 'c0ffee',
    useLatestVersions: false,
    useDeprecatedVersions: false,
    state: 'successful',
    message: undefined,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: undefined,
  });
  assert.equal(observed.jobs[0]?.type, 'continuous');
  assert.equal(observed.jobs[0]?.command, 'web');
  assert.equal(observed.jobs[0]?.replicas, 2);
  assert.deepEqual(observed.resolvedRefs, {
    'https://gitlab.wikimedia.org/t1/web#main': { ok: true, commit: 'c0ffee' },
  });
  assert.deepEqual(observed.previouslyManaged, ['web']);
});

test('plain arrays of API objects are accepted too', () => {
  const observed = parseStatusSnapshot(
    JSON.stringify({ builds: [], jobs: [{ name: 'cron', cmd: 'x', schedule: '@daily' }] }),
    't',
  );
  assert.equal(observed.jobs[0]?.type, 'scheduled');
});

test('bad snapshots give one readable error naming the place', () => {
  const bad = (text: string, message: RegExp) =>
    assert.throws(
      () => parseStatusSnapshot(text, 't', 'status.json'),
      (e: unknown) => e instanceof StatusSnapshotError && message.test(e.message),
    );
  bad('{', /^status\.json: not valid JSON/);
  bad('[]', /^status\.json: expected a JSON object/);
  bad('{"builds": 3}', /^status\.json: "builds" must be an array/);
  bad('{"builds": [{"imageName": "x"}]}', /^status\.json: builds\[0\]: "id" must be a non-empty string$/);
  bad(
    '{"jobs": [{"name": "x", "image": "i", "command": "c", "state": "weird"}]}',
    /jobs\[0\]: "state" must be one of/,
  );
  bad('{"resolvedRefs": {"r#HEAD": 3}}', /resolvedRefs\["r#HEAD"\]/);
});

test("a one-off job's lastRun is read back and its state checked", () => {
  const job = {
    name: 'migrate',
    type: 'one-off',
    image: 'tool-t1/api:latest',
    command: 'migrate',
    state: 'completed',
    health: 'none',
    lastRun: { state: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', exitCode: 0 },
  };
  const observed = parseStatusSnapshot(JSON.stringify({ tool: 't1', jobs: [job] }), 't1');
  assert.deepEqual(observed.jobs[0]?.lastRun, job.lastRun);
  assert.throws(
    () => parseStatusSnapshot(JSON.stringify({ jobs: [{ ...job, lastRun: { state: 'done' } }] }), 't1'),
    StatusSnapshotError,
  );
});
