/**
 * Status snapshot files (`plan --status FILE`). Two shapes are accepted:
 * - our ObservedState JSON (what `GET /v1/tool/{t}/status` is built from), with `builds`/`jobs` as
 *   BuildRecord/JobRecord;
 * - raw API answers: `{ "builds": <builds-api ListResponse or array of Build>, "jobs": <jobs-api
 *   JobListResponse or array of jobs> }`, decoded with the Toolforge runtime's decoders, so a snapshot can be
 *   made with two curl calls.
 * Elements are told apart one by one (`build_id`/`parameters` or `cmd`/`imagename` mark the API shapes), and
 * either form may carry `resolvedRefs`/`resolved_refs` and `previouslyManaged`/`previously_managed`.
 */
import { UserError } from '../errors.js';
import { decodeBuild, decodeJob } from '../runtimes/toolforge/toolforge-decode.js';
import {
  BUILD_STATES,
  JOB_HEALTH,
  JOB_STATES,
  ONE_OFF_RUN_STATES,
  type OneOffRun,
  JOB_TYPES,
  type BuildRecord,
  type JobRecord,
  type ObservedState,
  type RefResolution,
} from '../model/observed-state.js';
import { isObject } from '../support/is-object.js';

export class StatusSnapshotError extends UserError {
  constructor(message: string) {
    super('CMP_ERR_STATUS_SNAPSHOT', message, { status: 400, exitCode: 1 });
    this.name = 'StatusSnapshotError';
  }
}

type Obj = Record<string, unknown>;

function list(value: unknown, key: 'builds' | 'jobs', where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  // An API list response: `{ builds: [...] , messages }` / `{ jobs: [...], messages }`.
  if (isObject(value) && Array.isArray(value[key])) return value[key] as unknown[];
  throw new StatusSnapshotError(`${where}: "${key}" must be an array or a list response with "${key}"`);
}

function requireString(obj: Obj, field: string, where: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value === '')
    throw new StatusSnapshotError(`${where}: "${field}" must be a non-empty string`);
  return value;
}

function oneOf<T extends string>(
  allowed: readonly T[],
  obj: Obj,
  field: string,
  fallback: T,
  where: string,
): T {
  const value = obj[field];
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new StatusSnapshotError(`${where}: "${field}" must be one of ${allowed.join(', ')}`);
}

/** `envvars` of a build in our ObservedState form: a map of strings, left out when empty. */
function readEnvvars(raw: Record<string, unknown>, where: string): { envvars?: Record<string, string> } {
  const value = raw.envvars;
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new StatusSnapshotError(`${where}: "envvars" must be an object of strings`);
  }
  const envvars = value as Record<string, string>;
  return Object.keys(envvars).length > 0 ? { envvars: { ...envvars } } : {};
}

function readBuild(raw: unknown, where: string): BuildRecord {
  if (!isObject(raw)) throw new StatusSnapshotError(`${where}: expected an object`);
  if ('build_id' in raw || 'parameters' in raw) {
    const build = decodeBuild(raw);
    if (build.id === '') throw new StatusSnapshotError(`${where}: builds-api build without "build_id"`);
    return build;
  }
  requireString(raw, 'id', where);
  requireString(raw, 'imageName', where);
  requireString(raw, 'repository', where);
  return {
    ...(raw as unknown as BuildRecord),
    useLatestVersions: raw.useLatestVersions === true,
    useDeprecatedVersions: raw.useDeprecatedVersions === true,
    ...readEnvvars(raw, where),
    state: oneOf(BUILD_STATES, raw, 'state', 'unknown', where),
  };
}

function readJob(raw: unknown, where: string): JobRecord {
  if (!isObject(raw)) throw new StatusSnapshotError(`${where}: expected an object`);
  if ('cmd' in raw || 'imagename' in raw || 'job_type' in raw) {
    const job = decodeJob(raw);
    if (job.name === '') throw new StatusSnapshotError(`${where}: jobs-api job without "name"`);
    return job;
  }
  requireString(raw, 'name', where);
  requireString(raw, 'image', where);
  if (typeof raw.command !== 'string') throw new StatusSnapshotError(`${where}: "command" must be a string`);
  return {
    ...(raw as unknown as JobRecord),
    type: oneOf(JOB_TYPES, raw, 'type', 'continuous', where),
    state: oneOf(JOB_STATES, raw, 'state', 'unknown', where),
    health: oneOf(JOB_HEALTH, raw, 'health', 'none', where),
    ...readLastRun(raw, where),
  };
}

/** A one-off job's `lastRun`: its state decides whether the plan runs it again, so it is checked. */
function readLastRun(raw: Record<string, unknown>, where: string): Pick<JobRecord, 'lastRun'> {
  const run = raw.lastRun;
  if (run === undefined) return {};
  if (!isObject(run)) throw new StatusSnapshotError(`${where}: "lastRun" must be an object`);
  return {
    lastRun: {
      ...(run as unknown as OneOffRun),
      state: oneOf(ONE_OFF_RUN_STATES, run, 'state', 'failed', `${where}.lastRun`),
    },
  };
}

function readRefs(value: unknown, where: string): Record<string, RefResolution> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new StatusSnapshotError(`${where}: "resolvedRefs" must be an object`);
  const out: Record<string, RefResolution> = {};
  for (const [key, v] of Object.entries(value)) {
    // Shorthand: `"repo#ref": "<commit>"`.
    if (typeof v === 'string') out[key] = { ok: true, commit: v };
    else if (isObject(v) && v.ok === true && typeof v.commit === 'string')
      out[key] = { ok: true, commit: v.commit };
    else if (isObject(v) && v.ok === false && typeof v.error === 'string')
      out[key] = { ok: false, error: v.error };
    else
      throw new StatusSnapshotError(
        `${where}: resolvedRefs["${key}"] must be a commit, {ok: true, commit} or {ok: false, error}`,
      );
  }
  return out;
}

function readNames(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new StatusSnapshotError(`${where}: "previouslyManaged" must be an array of names`);
  }
  return value as string[];
}

/**
 * Parses a snapshot file's text. `tool` is used when the snapshot does not name one; `fileName` prefixes every
 * error (`status.json: builds[2]: "id" must be a non-empty string`).
 */
export function parseStatusSnapshot(text: string, tool: string, fileName = 'status'): ObservedState {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StatusSnapshotError(`${fileName}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(document))
    throw new StatusSnapshotError(`${fileName}: expected a JSON object with "builds" and "jobs"`);
  const builds = list(document.builds, 'builds', fileName).map((b, i) =>
    readBuild(b, `${fileName}: builds[${i}]`),
  );
  const jobs = list(document.jobs, 'jobs', fileName).map((j, i) => readJob(j, `${fileName}: jobs[${i}]`));
  return {
    tool: typeof document.tool === 'string' && document.tool !== '' ? document.tool : tool,
    observedAt: typeof document.observedAt === 'string' ? document.observedAt : new Date(0).toISOString(),
    builds,
    jobs,
    previouslyManaged: readNames(document.previouslyManaged ?? document.previously_managed, fileName),
    resolvedRefs: readRefs(document.resolvedRefs ?? document.resolved_refs, fileName),
  };
}
