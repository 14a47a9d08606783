/**
 * Knobs of the builds-api + jobs-api simulator. Every duration is in milliseconds of the simulator's clock
 * (`now`, the real clock by default). Defaults keep tests fast: builds of 50 ms, jobs up in 20 ms, restart
 * back-offs from 20 ms.
 */

export interface BuildBehaviour {
  /** Time from start to the end of the build (default 50). */
  readonly durationMs?: number;
  /** Per image name (`parameters.image_name`) override of `durationMs`. */
  readonly durationByImage?: Readonly<Record<string, number>>;
  /** Time spent in BUILD_PENDING before BUILD_RUNNING (default 0). */
  readonly queueMs?: number;
  /** Probability that a build ends in BUILD_FAILURE (default 0), drawn from the seeded PRNG at start. */
  readonly failRate?: number;
  /** Image names whose builds always fail. */
  readonly failImages?: readonly string[];
  /**
   * Concurrent (pending + running) builds per tool before a start answers 409, as builds-api's build limit;
   * reported by `GET …/quotas` (default 8, builds-api's; `Infinity` = no limit).
   */
  readonly quota?: number;
  /**
   * How `resolved_ref` is found: `git` runs `git ls-remote` (as builds-api does), `fake` derives a stable 40-hex
   * commit from repository + ref without network, `auto` (default) uses git for local paths and file:// URLs
   * and fake for everything else, so benches can use made-up https URLs.
   */
  readonly resolveRefs?: 'auto' | 'git' | 'fake';
}

export interface JobBehaviour {
  /** Time from create/update/restart until the job's container runs (default 20). */
  readonly startMs?: number;
  /** The container exits with code 1 as soon as it starts, and is restarted with a back-off. */
  readonly crashLoop?: boolean;
  /**
   * The container runs this long, then exits with code 1, every time (a crash a moment after start: a setting
   * read late, a connection that fails); restarted with a back-off. jobs-api reports it `running` meanwhile.
   */
  readonly crashAfterMs?: number;
  /**
   * The health check never passes: the container runs until Kubernetes' startup probe gives up
   * (`startupProbeMs`), is killed (exit code 137) and restarted with a back-off. jobs-api reports it
   * `running` until then, as it does for a healthy job. Only for jobs with a health check.
   */
  readonly neverHealthy?: boolean;
  /** First restart back-off; it doubles per restart up to 30 times this (Kubernetes: 10 s to 5 min; default 20). */
  readonly backoffMs?: number;
  /** How long the startup probe tries before the container is killed (Toolforge: 120 s; default 100). */
  readonly startupProbeMs?: number;
  /** A one-off job's run ends `startMs` after it began with this exit code (default 0, or 1 with `crashLoop`). */
  readonly exitCode?: number;
  /** A one-off job's run never ends (jobs-api has no timeout for one-off jobs: the client must stop it). */
  readonly neverEnds?: boolean;
}

export interface JobsBehaviour extends JobBehaviour {
  /** Per job name overrides. */
  readonly byName?: Readonly<Record<string, JobBehaviour>>;
  /** Names of jobs that crash-loop (shorthand for `byName[name].crashLoop`). */
  readonly crashLoopJobs?: readonly string[];
  /** Names of jobs whose health check never passes (shorthand for `byName[name].neverHealthy`). */
  readonly neverHealthyJobs?: readonly string[];
}

export interface FaultOptions {
  /** Probability that a request fails with `errorStatus` before being processed (default 0). */
  readonly errorRate?: number;
  /** Status of injected errors (default 503). */
  readonly errorStatus?: number;
  /** Probability that a response is held back `slowMs` after processing (default 0). */
  readonly slowRate?: number;
  /** Delay of slow responses (default 30 000: longer than any sane client timeout). */
  readonly slowMs?: number;
  /** The first N requests (after `onlyRoutes` filtering) fail with `errorStatus`, then `errorRate` applies. */
  readonly failFirst?: number;
  /** Limit faults to these routes, keyed like the stats: `POST /builds/v1/tool/:toolname/builds`. */
  readonly onlyRoutes?: readonly string[];
  /** Latency added to every request: fixed, or uniform in [min, max] from the seeded PRNG (default 0). */
  readonly latencyMs?: number | readonly [number, number];
}

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** PRNG seed (default 1): build ids, failures, faults and latencies replay with the same seed. */
  readonly seed?: number;
  readonly builds?: BuildBehaviour;
  readonly jobs?: JobsBehaviour;
  readonly faults?: FaultOptions;
  /** Clock in ms since the epoch (default Date.now). */
  readonly now?: () => number;
  /** Log requests with pino (default false). */
  readonly logger?: boolean;
}

/** The parts of the options that can be changed while the simulator runs (`configure`). */
export interface SimulatorBehaviour {
  builds: BuildBehaviour;
  jobs: JobsBehaviour;
  faults: FaultOptions;
}

/** A job's behaviour with every default filled in (`crashAfterMs` stays optional: absent = no such crash). */
export type ResolvedJobBehaviour = Required<Omit<JobBehaviour, 'crashAfterMs' | 'exitCode'>> &
  Pick<JobBehaviour, 'crashAfterMs' | 'exitCode'>;

export function jobBehaviourFor(jobs: JobsBehaviour, name: string): ResolvedJobBehaviour {
  const own = jobs.byName?.[name] ?? {};
  const crashAfterMs = own.crashAfterMs ?? jobs.crashAfterMs;
  const exitCode = own.exitCode ?? jobs.exitCode;
  return {
    ...(crashAfterMs !== undefined ? { crashAfterMs } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    neverEnds: own.neverEnds ?? jobs.neverEnds ?? false,
    startMs: own.startMs ?? jobs.startMs ?? 20,
    crashLoop: own.crashLoop ?? jobs.crashLoop ?? jobs.crashLoopJobs?.includes(name) ?? false,
    neverHealthy: own.neverHealthy ?? jobs.neverHealthy ?? jobs.neverHealthyJobs?.includes(name) ?? false,
    backoffMs: own.backoffMs ?? jobs.backoffMs ?? 20,
    startupProbeMs: own.startupProbeMs ?? jobs.startupProbeMs ?? 100,
  };
}

/** builds-api's default limit of concurrent builds per tool. */
export const DEFAULT_BUILD_QUOTA = 8;

export function buildQuotaOf(builds: BuildBehaviour): number {
  return builds.quota ?? DEFAULT_BUILD_QUOTA;
}

export function buildDurationFor(builds: BuildBehaviour, imageName: string): number {
  return builds.durationByImage?.[imageName] ?? builds.durationMs ?? 50;
}
