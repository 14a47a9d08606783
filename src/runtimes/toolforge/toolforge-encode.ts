/**
 * Our requests → builds-api / jobs-api bodies, typed by the wire contract (`wire/`). Like upstream
 * components-api (docs/upstream-compat.md#builds-and-jobs) a job body carries `job_type`, `name`, `imagename`,
 * `cmd`, the health check and only the run fields the user set, each only on the job type whose jobs-api model
 * has it (jobs-api forbids extra fields).
 */
import type { Static } from '@sinclair/typebox';
import type { BuildRequest } from '../../model/build-request.js';
import type { JobSpec } from '../../model/job-spec.js';
import type { BuildParametersT } from './wire/builds-api.js';
import type { NewContinuousJob, NewJobT, NewOneOffJob, NewScheduledJob } from './wire/jobs-api.js';

/** A start request always carries the version flags and `envvars` (empty when the config sets none). */
export type BuildStartBody = BuildParametersT &
  Required<
    Pick<BuildParametersT, 'image_name' | 'use_latest_versions' | 'use_deprecated_versions' | 'envvars'>
  >;

export function buildStartBody(request: BuildRequest): BuildStartBody {
  return {
    source_url: request.repository,
    // No ref = builds-api builds the repository's default branch (HEAD).
    ...(request.ref ? { ref: request.ref } : {}),
    image_name: request.imageName,
    use_latest_versions: request.useLatestVersions,
    use_deprecated_versions: request.useDeprecatedVersions,
    envvars: { ...request.envvars },
  };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function set<T extends object, K extends keyof T>(body: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) body[key] = value;
}

function common(spec: JobSpec) {
  const body: Writable<Omit<Static<typeof NewOneOffJob>, 'job_type' | 'retry'>> = {
    name: spec.name,
    imagename: spec.image,
    cmd: spec.command,
  };
  set(body, 'cpu', spec.cpu);
  set(body, 'memory', spec.memory);
  set(body, 'emails', spec.emails);
  set(body, 'filelog', spec.filelog);
  set(body, 'filelog_stdout', spec.filelogStdout);
  set(body, 'filelog_stderr', spec.filelogStderr);
  set(body, 'mount', spec.mount);
  return body;
}

export function jobUpsertBody(spec: JobSpec): NewJobT {
  if (spec.type === 'one-off') {
    // jobs-api's one-off model has `retry` but no `timeout` (only scheduled jobs have one): the executor stops a
    // run that outlives its timeout itself (src/execute/task-run-once.ts).
    const body: Writable<Static<typeof NewOneOffJob>> = { job_type: 'one-off', ...common(spec) };
    set(body, 'retry', spec.retry);
    return body;
  }
  if (spec.type === 'scheduled') {
    const body: Writable<Static<typeof NewScheduledJob>> = {
      job_type: 'scheduled',
      ...common(spec),
      schedule: spec.schedule ?? '',
    };
    set(body, 'retry', spec.retry);
    set(body, 'timeout', spec.timeout);
    return body;
  }
  const body: Writable<Static<typeof NewContinuousJob>> = { job_type: 'continuous', ...common(spec) };
  set(body, 'port', spec.port);
  set(body, 'port_protocol', spec.portProtocol);
  set(body, 'replicas', spec.replicas);
  // The config's `publish: /` is jobs-api's boolean `publish`.
  if (spec.publish !== undefined) body.publish = true;
  if (spec.healthCheck) {
    body.health_check =
      spec.healthCheck.type === 'http'
        ? { type: 'http', path: spec.healthCheck.path }
        : { type: 'script', script: spec.healthCheck.script };
  }
  return body;
}
