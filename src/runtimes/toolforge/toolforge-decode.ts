/**
 * Decoding of builds-api builds and jobs-api jobs into our `BuildRecord` / `JobRecord`, through the wire
 * contract (`wire/`): each answer is checked against its schema and every part that does not fit is left out,
 * so a missing or mistyped field becomes `undefined` rather than an error (both APIs omit fields: older
 * servers, `include_unset=false`, fields added later). Only a value that is not an object at all is refused
 * (`ToolforgeDecodeError`), because then there is nothing to map.
 *
 * Only what the services say is decoded, nothing is inferred that they do not tell:
 * - jobs-api reports no readiness: a running continuous job with a health check has health `unknown`, and the
 *   executor decides readiness from "running without a restart for a stability window" (execute/readiness.ts);
 * - a crash loop is read from the current status fields (`pending` + `restarted (<n>)`), the legacy
 *   `status_short` / `status_long` texts only when a server sends nothing else;
 * - the cause (`out of quota for cpu`, `0/3 nodes are available`, `exitcode 1`) comes from `status.messages`;
 * - a build's `destination_image` is an image only once the build succeeded (before that it is the tag the
 *   build will push), and a parameter builds-api could not find (`"unknown"`) is no value.
 */
import type { EmailMode, HealthCheck, MountMode, PortProtocol } from '../../model/tool-config.js';
import type {
  BuildRecord,
  BuildState,
  JobHealth,
  JobRecord,
  JobState,
  OneOffRun,
  JobType,
} from '../../model/observed-state.js';
import { Build, UNKNOWN_PARAMETER } from './wire/builds-api.js';
import { DEFINED_JOB_MODELS, type StatusShortT } from './wire/jobs-api.js';
import { WireReader } from './wire/schema.js';
import { isObject } from '../../support/is-object.js';

export class ToolforgeDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolforgeDecodeError';
  }
}

type Obj = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A text that says something: not empty, not builds-api's `"unknown"` for a parameter it could not find. */
function known(text: string | undefined): string | undefined {
  return text === undefined || text === '' || text === UNKNOWN_PARAMETER ? undefined : text;
}

/** builds-api times are RFC 3339; normalise to `toISOString()` when parseable, keep the text otherwise. */
function time(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------- builds

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

/** Upstream components-api's mapping, for its `builds` deployment field (docs/upstream-compat.md#deployments). */
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

/**
 * `parameters.envvars` (builds-api reads them back from the PipelineRun's `ENV_VARS`), left out when empty:
 * the plan compares them with the config's `build.envvars`, and without them every build with envvars would
 * look different from its config and be rebuilt on every deploy.
 */
function buildEnvvars(r: WireReader): { envvars?: Record<string, string> } {
  const raw = r.get('parameters', 'envvars');
  if (!isObject(raw)) return {};
  const entries = Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length === 0 ? {} : { envvars: Object.fromEntries(entries) };
}

/** builds-api `Build` (an element of `ListResponse.builds` or `GetResponse.build`) → `BuildRecord`. */
export function decodeBuild(raw: unknown): BuildRecord {
  if (!isObject(raw))
    throw new ToolforgeDecodeError(`builds-api build: expected an object, got ${describe(raw)}`);
  const r = new WireReader(Build, raw);
  const state = buildStateFromApi(r.get('status'));
  return {
    id: r.string('build_id') ?? '',
    imageName: known(r.string('parameters', 'image_name')) ?? '',
    // Until the build succeeds this is the tag it will push, which may still point at an older build.
    image: state === 'successful' ? known(r.string('destination_image')) : undefined,
    repository: known(r.string('parameters', 'source_url')) ?? '',
    ref: known(r.string('parameters', 'ref')),
    resolvedCommit: known(r.string('resolved_ref')),
    useLatestVersions: r.boolean('parameters', 'use_latest_versions') ?? false,
    useDeprecatedVersions: r.boolean('parameters', 'use_deprecated_versions') ?? false,
    ...buildEnvvars(r),
    state,
    message: known(r.string('message')),
    startedAt: time(r.string('start_time')),
    finishedAt: time(r.string('end_time')),
  };
}

// ------------------------------------------------------------------------------------------------------ jobs

/**
 * Restarts from which a crashing container counts as crash-looping (as the local runtime counts them). Below
 * that it is still coming up: Kubernetes restarts it with a back-off, and a dependency that was not ready yet
 * often is by the next try.
 */
export const CRASH_LOOP_RESTARTS = 3;

const RESTARTED = /^restarted \((\d+)\)$/;
/** Legacy texts only (servers without `status`): `status_long` names Kubernetes' own reason. */
const LEGACY_CRASH_LOOP = /crashloop|back-?off/i;
const LEGACY_STARTING = /scheduling|initializing|containercreating|starting|waiting|pending/i;

/** Old servers had no job_type: `continuous: true`, a continuous-only field or a schedule told them apart. */
function jobType(raw: Obj): JobType {
  const declared = raw.job_type;
  if (declared === 'continuous' || declared === 'scheduled' || declared === 'one-off') return declared;
  const set = (key: string): boolean => raw[key] !== undefined && raw[key] !== null;
  if (raw.continuous === true || ['replicas', 'port', 'health_check', 'port_protocol'].some(set))
    return 'continuous';
  if (typeof raw.schedule === 'string') return 'scheduled';
  return 'one-off';
}

/** Old servers: `filelog` as the text `"True"` / `"False"`, `image` instead of `imagename`. */
function withoutLegacy(raw: Obj): Obj {
  const out = { ...raw };
  if (out.filelog === 'True' || out.filelog === 'False') out.filelog = out.filelog === 'True';
  if (out.imagename === undefined && typeof out.image === 'string') out.imagename = out.image;
  return out;
}

function healthCheck(value: unknown): HealthCheck | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'http' && typeof value.path === 'string') return { type: 'http', path: value.path };
  if (value.type === 'script' && typeof value.script === 'string')
    return { type: 'script', script: value.script };
  return undefined;
}

/** jobs-api's durations (`24d3h59m45s`, `5m`, `0s`) → ms; undefined when it is not one. */
export function durationMs(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  const [d, h, m, s] = match.slice(1).map((n) => Number(n ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}

function restartsIn(messages: readonly string[]): number | undefined {
  for (const message of messages) {
    const match = RESTARTED.exec(message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The current status fields → our state. */
function stateFromStatus(type: JobType, short: StatusShortT, restarts: number | undefined): JobState {
  switch (short) {
    case 'running':
      return 'running';
    case 'pending':
      return restarts !== undefined && restarts >= CRASH_LOOP_RESTARTS ? 'crash-looping' : 'pending';
    case 'failed':
      // Failing past the progress deadline while restarting: still a crash loop, and the more telling name.
      return restarts !== undefined && restarts > 0 ? 'crash-looping' : 'failed';
    case 'succeeded':
      return type === 'one-off' ? 'completed' : 'running';
    default:
      return 'unknown';
  }
}

/** Servers without `status`: the legacy texts (`Running`, `Not running`, `… CrashLoopBackOff …`). */
function stateFromLegacy(short: string | undefined, long: string | undefined): JobState {
  if ([short, long].some((t) => t !== undefined && LEGACY_CRASH_LOOP.test(t))) return 'crash-looping';
  const text = short?.toLowerCase();
  if (text === undefined) return 'unknown';
  if (text.startsWith('not running')) return 'failed';
  if (text.startsWith('running')) return 'running';
  if (LEGACY_STARTING.test(text)) return 'pending';
  if (/fail|error/.test(text)) return 'failed';
  return 'unknown';
}

function jobHealth(type: JobType, state: JobState, hasCheck: boolean): JobHealth {
  if (type !== 'continuous' || !hasCheck) return 'none';
  if (state === 'crash-looping' || state === 'failed') return 'unhealthy';
  // jobs-api says "running" as soon as a container runs, whatever its health check answers.
  return state === 'running' ? 'unknown' : 'starting';
}

const EXIT_CODE_MESSAGE = /^exitcode (-?\d+)$/;
const EXIT_CODE_LONG = /Exit code '(-?\d+)'/;
const LAST_RUN_AT = /Last run at (\d{4}-\d\d-\d\dT[\d:.]+Z)/;

/**
 * A one-off job's run, from its status: `short` is the run's phase, the exit code is in `status.messages`
 * (`exitcode 3`) or `status_long` (`… Exit code '0'.`, real payload j08), its start in `status_long`
 * (`Last run at <time>.`). jobs-api reports no end time (`duration` only counts from now, so a time derived
 * from it would move between two looks, and with it the plan's digest).
 */
function oneOffRun(
  short: StatusShortT | undefined,
  messages: readonly string[],
  long: string | undefined,
): OneOffRun {
  const state: OneOffRun['state'] =
    short === 'succeeded' || short === 'failed' || short === 'pending' ? short : 'running';
  const code =
    messages.map((m) => EXIT_CODE_MESSAGE.exec(m)?.[1]).find((c) => c !== undefined) ??
    (long !== undefined ? EXIT_CODE_LONG.exec(long)?.[1] : undefined);
  const started = long !== undefined ? LAST_RUN_AT.exec(long)?.[1] : undefined;
  const ended = state === 'succeeded' || state === 'failed';
  return {
    state,
    ...(started !== undefined ? { startedAt: new Date(started).toISOString() } : {}),
    ...(ended && code !== undefined ? { exitCode: Number(code) } : {}),
    // The exit code says it; jobs-api's long text only when there is none (e.g. a pod that never started).
    ...(state === 'failed' && code === undefined && long !== undefined ? { message: long } : {}),
  };
}

/** jobs-api job (an element of `JobListResponse.jobs` or `JobResponse.job`) → `JobRecord`. */
export function decodeJob(raw: unknown): JobRecord {
  if (!isObject(raw))
    throw new ToolforgeDecodeError(`jobs-api job: expected an object, got ${describe(raw)}`);
  const type = jobType(raw);
  const r = new WireReader(DEFINED_JOB_MODELS[type], withoutLegacy(raw));
  const short = r.get('status', 'short') as StatusShortT | undefined;
  const messages = r.strings('status', 'messages');
  const restarts = restartsIn(messages);
  const statusLong = known(r.string('status_long'));
  const state =
    type === 'scheduled'
      ? // Registered as soon as jobs-api has it: the status describes its runs, not the registration.
        'registered'
      : short !== undefined
        ? stateFromStatus(type, short, restarts)
        : stateFromLegacy(known(r.string('status_short')), statusLong);
  const check = healthCheck(r.get('health_check'));
  const cause = messages.length > 0 ? messages.join(', ') : statusLong;
  const running = durationMs(r.string('status', 'duration'));
  return {
    name: r.string('name') ?? '',
    type,
    image: r.string('imagename') ?? '',
    command: r.string('cmd') ?? '',
    schedule: known(r.string('schedule')),
    cpu: known(r.string('cpu')),
    memory: known(r.string('memory')),
    emails: r.string('emails') as EmailMode | undefined,
    filelog: r.boolean('filelog'),
    filelogStdout: known(r.string('filelog_stdout')),
    filelogStderr: known(r.string('filelog_stderr')),
    mount: r.string('mount') as MountMode | undefined,
    port: r.number('port'),
    portProtocol: r.string('port_protocol') as PortProtocol | undefined,
    publish: r.boolean('publish') === true ? '/' : undefined,
    replicas: r.number('replicas'),
    healthCheck: check,
    retry: r.number('retry'),
    timeout: r.number('timeout'),
    state,
    health: jobHealth(type, state, check !== undefined),
    ...(restarts !== undefined ? { restarts } : {}),
    // While running, `duration` counts from the container's start: a restart sets it back to zero.
    ...(short === 'running' && running !== undefined ? { runningForMs: running } : {}),
    ...(r.boolean('status', 'up_to_date') === false ? { upToDate: false } : {}),
    // The cause, from the current fields; the legacy long text only when they say nothing.
    message: cause,
    // What keeps a continuous job from running, as jobs-api says it (`0/3 nodes are available`, `out of quota
    // for cpu`): a wait for it names that instead of "starting".
    ...(type === 'continuous' && state !== 'running' && cause !== undefined ? { healthReason: cause } : {}),
    ...(type === 'one-off' && (short !== undefined || statusLong !== undefined)
      ? { lastRun: oneOffRun(short, messages, statusLong) }
      : {}),
  };
}
