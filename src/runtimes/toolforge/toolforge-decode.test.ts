import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCases, jobCases, type PayloadCase } from '../../../test/support/toolforge-fixtures.js';
import { decodeBuild, decodeJob, ToolforgeDecodeError, upstreamBuildStatus } from './toolforge-decode.js';

/** The decoded record has every `expect`ed field and none of the `absent` ones. */
function assertDecodes(record: object, c: PayloadCase): void {
  const got = record as Record<string, unknown>;
  for (const [field, value] of Object.entries(c.expect))
    assert.deepEqual(got[field], value, `${c.label}: ${field}`);
  for (const field of c.absent ?? [])
    assert.equal(got[field], undefined, `${c.label}: ${field} must be absent`);
}

describe('decoding what the services send (test/fixtures/toolforge)', () => {
  for (const c of buildCases) it(`build: ${c.label}`, () => assertDecodes(decodeBuild(c.payload), c));
  for (const c of jobCases) it(`job: ${c.label}`, () => assertDecodes(decodeJob(c.payload), c));
});

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

  it('reads the build-time envvars builds-api reports, so an unchanged config reuses the build', () => {
    const withVars = {
      ...raw,
      parameters: { ...raw.parameters, envvars: { FLASK_ENV: 'production', A_B: '1' } },
    };
    assert.deepEqual(decodeBuild(withVars).envvars, { FLASK_ENV: 'production', A_B: '1' });
  });

  it('leaves envvars out when the build had none, or when they break the contract', () => {
    assert.equal('envvars' in decodeBuild(raw), false);
    const { envvars: _none, ...withoutField } = raw.parameters;
    assert.equal('envvars' in decodeBuild({ ...raw, parameters: withoutField }), false);
    const mistyped = { ...raw, parameters: { ...raw.parameters, envvars: { N: 1 } } };
    assert.equal(decodeBuild(mistyped).envvars, undefined);
    assert.equal(decodeBuild(mistyped).imageName, 'web');
  });

  it('refuses a non-object with a clear error', () => {
    assert.throws(() => decodeBuild(null), ToolforgeDecodeError);
    assert.throws(() => decodeBuild([1]), /builds-api build: expected an object, got an array/);
  });
});

describe('decodeJob', () => {
  const base = { name: 'w', cmd: 'web', imagename: 'i', job_type: 'continuous', replicas: 2 };
  const hc = { health_check: { type: 'http', path: '/' }, port: 8000 };

  it('decodes a job without status (include_unset=false) as unknown, its fields as sent', () => {
    const job = decodeJob({ ...base, ...hc, memory: '0.25Gi' });
    assert.equal(job.type, 'continuous');
    assert.equal(job.state, 'unknown');
    assert.equal(job.health, 'starting');
    assert.equal(job.memory, '0.25Gi');
    assert.equal(job.portProtocol, undefined);
  });

  it('infers the type of a job without job_type', () => {
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i', continuous: true }).type, 'continuous');
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i', schedule: '@daily' }).type, 'scheduled');
    assert.equal(decodeJob({ name: 'a', cmd: 'x', imagename: 'i' }).type, 'one-off');
  });

  it('reads crash loops from the current fields; the legacy texts only when there is nothing else', () => {
    const looping = decodeJob({
      ...base,
      status: { short: 'pending', duration: '1m', messages: ['restarted (4)'] },
    });
    assert.equal(looping.state, 'crash-looping');
    const legacyOnly = decodeJob({
      ...base,
      status_short: 'Running',
      status_long: "State 'waiting'. Reason 'CrashLoopBackOff'",
    });
    assert.equal(legacyOnly.state, 'crash-looping');
    // The current fields win: a job running again after a crash is running, whatever the old text says.
    const recovered = decodeJob({
      ...base,
      status: { short: 'running', duration: '5m', messages: [] },
      status_long: "State 'waiting'. Reason 'CrashLoopBackOff'",
    });
    assert.equal(recovered.state, 'running');
  });

  it('decodes only what jobs-api says: no readiness, whatever the messages look like', () => {
    const running = decodeJob({ ...base, ...hc, status: { short: 'running', duration: '1s', messages: [] } });
    assert.equal(running.health, 'unknown');
    assert.equal(running.readyReplicas, undefined);
    const noCheck = decodeJob({ ...base, status: { short: 'running', duration: '1s', messages: [] } });
    assert.equal(noCheck.health, 'none');
    assert.equal(noCheck.readyReplicas, undefined);
  });

  it('leaves out a field that breaks the contract, and keeps the rest', () => {
    const job = decodeJob({
      ...base,
      ...hc,
      replicas: 'two',
      emails: 'sometimes',
      status: { short: 'nope' },
    });
    assert.equal(job.replicas, undefined);
    assert.equal(job.emails, undefined);
    assert.equal(job.port, 8000);
    assert.deepEqual(job.healthCheck, { type: 'http', path: '/' });
  });

  it('refuses a non-object with a clear error', () => {
    assert.throws(() => decodeJob('web'), /jobs-api job: expected an object, got a string/);
  });
});
