/**
 * Decoding of builds-api `Build` and jobs-api job objects into our `BuildRecord` / `JobRecord`.
 *
 * Tolerant by design: both APIs omit fields (`include_unset=false`, older servers, fields added later), so a
 * missing or mistyped field becomes `undefined` rather than an error. Only a value that is not an object at all
 * is refused (`ToolforgeDecodeError`), because then there is nothing to map.
 */
import type { EmailMode, HealthCheck, MountMode, PortProtocol } from '../../config/tool-config.js';
import { EMAIL_MODES, MOUNT_MODES, PORT_PROTOCOLS } from '../../config/tool-config.js';
import type {
  BuildRecord,
  BuildState,
  JobHealth,
  JobRecord,
  JobState,
  JobType,
} from '../../status/observed-state.js';

export class ToolforgeDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolforgeDecodeError';
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** builds-api times are RFC 3339; normalise to `toISOString()` when parseable, keep the text otherwise. */
function time(value: unknown): string | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------- builds

export const BUILDS_API_STATUSES = [
  'BUILD_PENDING',
  'BUILD_RUNNING',
  'BUILD_SUCCESS',
  'BUILD_FAILURE',
  'BUILD_CANCELLED',
  'BUILD_TIMEOUT',
  'BUILD_UNKNOWN',
] as const;
export type BuildsApiStatus = (typeof BUILDS_API_STATUSES)[number];

/**
 * Our view of a builds-api status. Finer than upstream's (see `upstreamBuildStatus`): BUILD_PENDING is `pending`
 * (upstream folds it into `unknown`) and BUILD_CANCELLED is `cancelled` (upstream: `failed`), so the executor can
 * tell "queued" from "lost" and "we cancelled it" from "it broke". Anything unrecognised is `unknown`.
 */
export function buildStateFromApi(status: unknown): BuildState {
  switch (status) {
    case 'BUILD_PENDING':
      return 'pending';
    case 'BUILD_RUNNING':
      return 'running';
    case 'BUILD_SUCCESS':
      return 'successful';
    case 'BUILD_FAILURE':
    case 'BUILD_TIMEOUT':
      return 'failed';
    case 'BUILD_CANCELLED':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

/** Upstream components-api's mapping (upstream-behaviour §L.53), for its `builds` deployment field. */
export function upstreamBuildStatus(status: unknown): 'running' | 'successful' | 'failed' | 'unknown' {
  switch (status) {
    case 'BUILD_RUNNING':
      return 'running';
    case 'BUILD_SUCCESS':
      return 'successful';
    case 'BUILD_FAILURE':
    case 'BUILD_CANCELLED':
    case 'BUILD_TIMEOUT':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** builds-api `Build` (an element of `ListResponse.builds` or `GetResponse.build`) → `BuildRecord`. */
export function decodeBuild(raw: unknown): BuildRecord {
  if (!isObject(raw))
    throw new ToolforgeDecodeError(`builds-api build: expected an object, got ${describe(raw)}`);
  const params = isObject(raw.parameters) ? raw.parameters : {};
  return {
    id: str(raw.build_id) ?? '',
    imageName: str(params.image_name) ?? '',
    image: str(raw.destination_image),
    repository: str(params.source_url) ?? '',
    ref: str(params.ref),
    resolvedCommit: str(raw.resolved_ref),
    useLatestVersions: bool(params.use_latest_versions) ?? false,
    useDeprecatedVersions: bool(params.use_deprecated_versions) ?? false,
    state: buildStateFromApi(raw.status),
    message: str(raw.message),
    startedAt: time(raw.start_time),
    finishedAt: time(raw.end_time),
  };
}

// ------------------------------------------------------------------------------------------------------ jobs

function jobType(raw: Obj): JobType {
  const declared = oneOf(['continuous', 'scheduled', 'one-off'] as const, raw.job_type);
  if (declared) return declared;
  // Older jobs-api versions had no job_type: `continuous: true` or a schedule told them apart.
  if (raw.continuous === true) return 'continuous';
  if (str(raw.schedule)) return 'scheduled';
  return 'one-off';
}

function healthCheck(raw: unknown): HealthCheck | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'http' && typeof raw.path === 'string') return { type: 'http', path: raw.path };
  if (raw.type === 'script' && typeof raw.script === 'string') return { type: 'script', script: raw.script };
  return undefined;
}

/** Every human status text jobs-api gave (v2 `status.messages`, then the legacy `status_short` / `status_long`). */
function statusTexts(raw: Obj, status: Obj): string[] {
  const messages = Array.isArray(status.messages) ? status.messages.filter((m) => typeof m === 'string') : [];
  return [...messages, str(raw.status_short), str(raw.status_long)].filter(
    (t): t is string => t !== undefined,
  );
}

const CRASH_LOOP = /crashloop|back-?off|restarting/i;
const UNHEALTHY = /unhealthy|probe failed|not ready|readiness/i;
const STARTING = /scheduling|initializing|containercreating|starting|waiting|pending/i;
/** "1/2 replicas ready", "1/2 ready": how many replicas passed their readiness (health) check. */
const READY_COUNT = /(\d+)\s*\/\s*(\d+)\s*(?:replicas?\s*)?ready/i;

function shortStatus(raw: Obj, status: Obj): string | undefined {
  const v2 = str(status.short);
  if (v2) return v2.toLowerCase();
  // Legacy `status_short` ("Running", "Not running", "Unknown", …).
  const legacy = str(raw.status_short)?.toLowerCase();
  if (legacy === undefined) return undefined;
  if (legacy.startsWith('not running')) return 'failed';
  if (legacy.startsWith('running')) return 'running';
  if (STARTING.test(legacy)) return 'pending';
  if (/fail|error/.test(legacy)) return 'failed';
  return 'unknown';
}

function jobState(type: JobType, short: string | undefined, texts: readonly string[]): JobState {
  // A scheduled job is registered as soon as jobs-api has it: the status describes its last/next run, not the
  // registration (`pending` between runs, `failed` after a failed run).
  if (type === 'scheduled') return 'registered';
  if (texts.some((t) => CRASH_LOOP.test(t))) return 'crash-looping';
  switch (short) {
    case 'running':
      return 'running';
    case 'pending':
      return 'pending';
    case 'succeeded':
      return type === 'one-off' ? 'registered' : 'running';
    case 'failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

function readyCount(texts: readonly string[]): { ready: number; wanted: number } | undefined {
  for (const text of texts) {
    const match = READY_COUNT.exec(text);
    if (match) return { ready: Number(match[1]), wanted: Number(match[2]) };
  }
  return undefined;
}

function jobHealth(type: JobType, state: JobState, hasCheck: boolean, texts: readonly string[]): JobHealth {
  if (type !== 'continuous' || !hasCheck) return 'none';
  if (state === 'crash-looping' || state === 'failed') return 'unhealthy';
  if (state !== 'running') return 'starting';
  const counted = readyCount(texts);
  if (counted) return counted.ready >= counted.wanted ? 'healthy' : 'starting';
  return texts.some((t) => UNHEALTHY.test(t)) ? 'unhealthy' : 'healthy';
}

/** jobs-api job (an element of `JobListResponse.jobs` or `JobResponse.job`) → `JobRecord`. */
export function decodeJob(raw: unknown): JobRecord {
  if (!isObject(raw))
    throw new ToolforgeDecodeError(`jobs-api job: expected an object, got ${describe(raw)}`);
  const type = jobType(raw);
  const status = isObject(raw.status) ? raw.status : {};
  const texts = statusTexts(raw, status);
  const state = jobState(type, shortStatus(raw, status), texts);
  const check = healthCheck(raw.health_check);
  const counted = readyCount(texts);
  const replicas = num(raw.replicas);
  const message = str(raw.status_long) ?? (texts.length > 0 ? texts.join(', ') : undefined);
  return {
    name: str(raw.name) ?? '',
    type,
    image: str(raw.imagename) ?? str(raw.image) ?? '',
    command: typeof raw.cmd === 'string' ? raw.cmd : '',
    schedule: str(raw.schedule),
    cpu: str(raw.cpu),
    memory: str(raw.memory),
    emails: oneOf<EmailMode>(EMAIL_MODES, raw.emails),
    filelog: bool(raw.filelog),
    filelogStdout: str(raw.filelog_stdout),
    filelogStderr: str(raw.filelog_stderr),
    mount: oneOf<MountMode>(MOUNT_MODES, raw.mount),
    port: num(raw.port),
    portProtocol: oneOf<PortProtocol>(PORT_PROTOCOLS, raw.port_protocol),
    publish: str(raw.publish),
    replicas,
    healthCheck: check,
    retry: num(raw.retry),
    timeout: num(raw.timeout),
    state,
    health: jobHealth(type, state, check !== undefined, texts),
    readyReplicas: counted?.ready ?? (state === 'running' && counted === undefined ? replicas : undefined),
    message,
  };
}
