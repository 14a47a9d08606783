import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeBuild, decodeJob, ToolforgeDecodeError, upstreamBuildStatus } from './toolforge-decode.js';

interface ShapeExample {
  readonly label: string;
  readonly get_job_include_unset_true: { job: unknown };
  readonly get_job_include_unset_false: { job: unknown };
}

const shapesUrl = new URL('../../../../shared/reference/examples/jobs-api.job-shapes.json', import.meta.url);
const shapes = (JSON.parse(readFileSync(shapesUrl, 'utf8')) as { examples: ShapeExample[] }).examples;

function shape(label: string): ShapeExample {
  const found = shapes.find((e) => e.label.startsWith(label));
  assert.ok(found, `reference example ${label}`);
  return found;
}

describe('decodeBuild', () => {
  const raw = {
    build_id: 't1-buildpacks-pipelinerun-abcde',
    status: 'BUILD_SUCCESS',
    message: 'Tasks Completed: 2',
    start_time: '2026-01-01T10:00:00Z',
    end_time: '2026-01-01T10:03:00Z',
    destination_image: 'tools-harbor.wmcloud.org/tool-t1/web:latest@sha256:abc',
    resolved_ref: 'a'.repeat(40),
    parameters: {
      source_url: 'https://gitlab.wikimedia.org/toolforge-repos/t1',
      ref: 'main',
      image_name: 'web',
      use_latest_versions: true,
      envvars: {},
    },
  };

  it('maps every field of a successful build', () => {
    assert.deepEqual(decodeBuild(raw), {
      id: 't1-buildpacks-pipelinerun-abcde',
      imageName: 'web',
      image: 'tools-harbor.wmcloud.org/tool-t1/web:latest@sha256:abc',
      repository: 'https://gitlab.wikimedia.org/toolforge-repos/t1',
      ref: 'main',
      resolvedCommit: 'a'.repeat(40),
      useLatestVersions: true,
      useDeprecatedVersions: false,
      state: 'successful',
      message: 'Tasks Completed: 2',
      startedAt: '2026-01-01T10:00:00.000Z',
      finishedAt: '2026-01-01T10:03:00.000Z',
    });
  });

  it('maps statuses (ours and upstream view)', () => {
    const cases: Array<[string, string, string]> = [
      ['BUILD_RUNNING', 'running', 'running'],
      ['BUILD_SUCCESS', 'successful', 'successful'],
      ['BUILD_FAILURE', 'failed', 'failed'],
      ['BUILD_TIMEOUT', 'failed', 'failed'],
      ['BUILD_CANCELLED', 'cancelled', 'failed'],
      ['BUILD_PENDING', 'pending', 'unknown'],
      ['BUILD_UNKNOWN', 'unknown', 'unknown'],
      ['SOMETHING_NEW', 'unknown', 'unknown'],
    ];
    for (const [status, ours, upstream] of cases) {
      assert.equal(decodeBuild({ ...raw, status }).state, ours, status);
      assert.equal(upstreamBuildStatus(status), upstream, status);
    }
  });

  it('tolerates missing fields and empty strings', () => {
    const build = decodeBuild({ build_id: 'x', destination_image: '', status: 'BUILD_PENDING' });
    assert.equal(build.image, undefined);
    assert.equal(build.repository, '');
    assert.equal(build.state, 'pending');
    assert.equal(build.useLatestVersions, false);
  });

  it('refuses a non-object with a clear error', () => {
    assert.throws(() => decodeBuild(null), ToolforgeDecodeError);
    assert.throws(() => decodeBuild([1]), /builds-api build: expected an object, got an array/);
  });
});

describe('decodeJob', () => {
  it('decodes the reference continuous job (include_unset=true)', () => {
    const job = decodeJob(shape('continuous').get_job_include_unset_true.job);
    assert.equal(job.name, 'web');
    assert.equal(job.type, 'continuous');
    assert.equal(job.image, 'tool-t1/web:latest@sha256:abc123');
    assert.equal(job.command, 'web');
    assert.equal(job.replicas, 2);
    assert.equal(job.port, 8000);
    assert.equal(job.portProtocol, 'tcp');
    assert.deepEqual(job.healthCheck, { type: 'http', path: '/healthz' });
    assert.equal(job.memory, '0.25Gi');
    assert.equal(job.cpu, '0.5');
    assert.equal(job.mount, 'none');
    assert.equal(job.emails, 'none');
    assert.equal(job.filelog, false);
    assert.equal(job.filelogStdout, undefined);
    assert.equal(job.state, 'running');
    assert.equal(job.health, 'healthy');
    assert.equal(job.message, 'Running since 2 minutes ago');
  });

  it('decodes the reference continuous job without status (include_unset=false)', () => {
    const job = decodeJob(shape('continuous').get_job_include_unset_false.job);
    assert.equal(job.type, 'continuous');
    assert.equal(job.state, 'unknown');
    assert.equal(job.health, 'starting');
    assert.equal(job.portProtocol, undefined);
  });

  it('decodes scheduled jobs as registered', () => {
    const cron = decodeJob(shape('scheduled build-service').get_job_include_unset_true.job);
    assert.equal(cron.type, 'scheduled');
    assert.equal(cron.schedule, '@daily');
    assert.equal(cron.timeout, 120);
    assert.equal(cron.emails, 'onfailure');
    assert.equal(cron.state, 'registered');
    assert.equal(cron.health, 'none');
    const legacy = decodeJob(shape('scheduled job on a prebuilt').get_job_include_unset_true.job);
    assert.equal(legacy.schedule, '*/15 * * * *');
    assert.equal(legacy.filelogStdout, '/data/project/t1/legacy.out');
    assert.equal(legacy.timeout, 0);
    assert.equal(legacy.state, 'registered');
  });

  it('infers the type of a job without job_type', () => {
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i', continuous: true }).type, 'continuous');
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i', schedule: '@daily' }).type, 'scheduled');
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i' }).type, 'one-off');
  });

  it('detects crash loops, pending, readiness counts and unhealthy checks', () => {
    const base = { name: 'w', cmd: 'web', imagename: 'i', job_type: 'continuous', replicas: 2 };
    const hc = { health_check: { type: 'http', path: '/' }, port: 8000 };
    const crash = decodeJob({
      ...base,
      status: { short: 'failed', duration: '1m', messages: ['restarting', 'CrashLoopBackOff'] },
    });
    assert.equal(crash.state, 'crash-looping');
    const legacyCrash = decodeJob({
      ...base,
      status_short: 'Running',
      status_long: "State 'waiting'. Reason 'CrashLoopBackOff'",
    });
    assert.equal(legacyCrash.state, 'crash-looping');
    const pending = decodeJob({
      ...base,
      ...hc,
      status: { short: 'pending', duration: '1s', messages: ['scheduling'] },
    });
    assert.equal(pending.state, 'pending');
    assert.equal(pending.health, 'starting');
    const half = decodeJob({
      ...base,
      ...hc,
      status: { short: 'running', duration: '1s', messages: ['1/2 replicas ready'] },
    });
    assert.equal(half.state, 'running');
    assert.equal(half.health, 'starting');
    assert.equal(half.readyReplicas, 1);
    const bad = decodeJob({
      ...base,
      ...hc,
      status: { short: 'running', duration: '1s', messages: ['readiness probe failed'] },
    });
    assert.equal(bad.health, 'unhealthy');
    const noCheck = decodeJob({ ...base, status: { short: 'running', duration: '1s', messages: [] } });
    assert.equal(noCheck.health, 'none');
    assert.equal(noCheck.readyReplicas, 2);
  });

  it('refuses a non-object with a clear error', () => {
    assert.throws(() => decodeJob('web'), /jobs-api job: expected an object, got a string/);
  });
});
