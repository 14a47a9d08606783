import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateConfig, GENERATED_NOTE, NOTHING_GENERATED } from './config-generate.js';
import type { BuildRecord, JobRecord } from '../model/observed-state.js';

const build: BuildRecord = {
  id: 'b1',
  imageName: 'web',
  image: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
  repository: 'https://gitlab.wikimedia.org/toolforge-repos/sample-static-buildpack-app',
  ref: 'main',
  useLatestVersions: false,
  useDeprecatedVersions: false,
  state: 'successful',
};

function job(name: string, type: JobRecord['type'], extra: Partial<JobRecord> = {}): JobRecord {
  return { name, type, image: 'x', command: 'launcher web', state: 'running', health: 'none', ...extra };
}

test('jobs with a build become components; others are skipped with upstream warnings', () => {
  const { data, warnings } = generateConfig({
    builds: [build],
    jobs: [
      job('web', 'continuous', {
        port: 8000,
        replicas: 2,
        mount: 'none',
        healthCheck: { type: 'http', path: '/healthz' },
      }),
      job('oneoff', 'one-off'),
      job('legacy', 'continuous'),
    ],
  });
  assert.deepEqual(warnings, [
    GENERATED_NOTE,
    'Job legacy seems not to be a build-service based job (or no build found for it), skipping',
    "Job oneoff is not a continuous or scheduled job, it's not supported yet, skipping",
  ]);
  assert.deepEqual(data, {
    config_version: 'v1beta2',
    components: {
      web: {
        build: { repository: build.repository, ref: 'main' },
        run: { command: 'web', mount: 'none', port: 8000, replicas: 2, health_check_http: '/healthz' },
        component_type: 'continuous',
      },
    },
  });
});

test('nothing to generate: the fixed sample, without config_version', () => {
  const { data, warnings } = generateConfig({ builds: [], jobs: [] });
  assert.deepEqual(warnings, [GENERATED_NOTE, NOTHING_GENERATED]);
  assert.equal((data as Record<string, unknown>).config_version, undefined);
  assert.equal(
    (data as { components: Record<string, { run: { schedule?: string } }> }).components['my-cronjob1']?.run
      .schedule,
    '@daily',
  );
});
