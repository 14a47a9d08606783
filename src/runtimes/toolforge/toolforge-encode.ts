/**
 * Our requests → builds-api / jobs-api bodies. Like upstream components-api (upstream-behaviour §M.56) a job
 * body carries `job_type`, `name`, `imagename`, `cmd`, the health check and only the run fields the user set,
 * each only on the job type whose jobs-api model has it (jobs-api forbids extra fields).
 */
import type { BuildRequest, JobSpec } from '../runtime.js';

export interface BuildStartBody {
  readonly source_url: string;
  readonly ref?: string;
  readonly image_name: string;
  readonly use_latest_versions: boolean;
  readonly use_deprecated_versions: boolean;
  readonly envvars: Readonly<Record<string, string>>;
}

export function buildStartBody(request: BuildRequest): BuildStartBody {
  return {
    source_url: request.repository,
    // No ref = builds-api builds the repository's default branch (HEAD).
    ...(request.ref ? { ref: request.ref } : {}),
    image_name: request.imageName,
    use_latest_versions: request.useLatestVersions,
    use_deprecated_versions: request.useDeprecatedVersions,
    envvars: request.envvars ?? {},
  };
}

type Body = Record<string, unknown>;

function set(body: Body, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

export function jobUpsertBody(spec: JobSpec): Body {
  const body: Body = { job_type: spec.type, name: spec.name, imagename: spec.image, cmd: spec.command };
  set(body, 'cpu', spec.cpu);
  set(body, 'memory', spec.memory);
  set(body, 'emails', spec.emails);
  set(body, 'filelog', spec.filelog);
  set(body, 'filelog_stdout', spec.filelogStdout);
  set(body, 'filelog_stderr', spec.filelogStderr);
  set(body, 'mount', spec.mount);
  if (spec.type === 'scheduled') {
    set(body, 'schedule', spec.schedule);
    set(body, 'retry', spec.retry);
    set(body, 'timeout', spec.timeout);
    return body;
  }
  set(body, 'port', spec.port);
  set(body, 'port_protocol', spec.portProtocol);
  set(body, 'replicas', spec.replicas);
  // Only the live jobs-api knows `publish`; sending it to the reference snapshot is a 422, so only when set.
  set(body, 'publish', spec.publish);
  if (spec.healthCheck) {
    body.health_check =
      spec.healthCheck.type === 'http'
        ? { type: 'http', path: spec.healthCheck.path }
        : { type: 'script', script: spec.healthCheck.script };
  }
  return body;
}
