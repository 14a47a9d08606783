/**
 * The normalised tool config: what every dialect (the seed's `config-version: 0.1` kebab-case and upstream's
 * snake_case v1beta1 and v1beta2) loads into. Everything downstream (status, plan, executor, API) reads only
 * this model. Upstream upgrades every v1beta1 config to v1beta2 when it reads it, and so does the loader: a
 * loaded config's dialect is `seed` or `v1beta2`.
 *
 * Invariants (established by the loader, relied on everywhere else):
 * - `components` keeps the order of the source file; that order breaks every tie.
 * - names are unique, valid jobs-api job names;
 * - `reuse` builds name an existing component that itself builds from source (no chains);
 * - `waitFor` names existing components, never the component itself, and wait-for edges are acyclic (reuse
 *   edges tie a deploy to a build, which waits for nothing, so they cannot close a cycle);
 * - a scheduled component always has a `schedule`; a continuous one never has one. A component is scheduled
 *   exactly when its `run` has a `schedule` (upstream's rule; the seed dialect's explicit `type` still wins);
 *   a one-off component is one only when its type says so, and never has a schedule.
 */

/** v1beta1 and v1beta2 are spelt alike (snake_case); v1beta2 adds `defaults` and `build.envvars`. */
export const CONFIG_DIALECTS = ['seed', 'v1beta1', 'v1beta2'] as const;
export type ConfigDialect = (typeof CONFIG_DIALECTS)[number];

/** Upstream's current config version: what a config without one, or with v1beta1, is read as. */
export const CURRENT_UPSTREAM_VERSION = 'v1beta2';

/** True for upstream's snake_case dialects. */
export function isUpstreamDialect(dialect: ConfigDialect): boolean {
  return dialect !== 'seed';
}

/** Build-time environment variable names (upstream's pattern): upper case, digits and `_`, 4+ characters. */
export const ENVVAR_NAME_PATTERN = /^[A-Z][A-Z_0-9]{2,}[A-Z0-9]$/;

/**
 * `one-off` is our extension (upstream's schema names one-off jobs but its model has no such component): a
 * job that runs to completion once per change of what it runs, e.g. a database migration (issue 13).
 */
export const COMPONENT_TYPES = ['continuous', 'scheduled', 'one-off'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export const EMAIL_MODES = ['none', 'all', 'onfinish', 'onfailure'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export const MOUNT_MODES = ['all', 'none'] as const;
export type MountMode = (typeof MOUNT_MODES)[number];

export const PORT_PROTOCOLS = ['tcp', 'udp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/** Build the image from a git repository (or, on the local runtime, a directory). */
export interface SourceBuild {
  readonly kind: 'source';
  readonly repository: string;
  /** Branch, tag or commit; undefined means the repository's default branch (HEAD), resolved at plan time. */
  readonly ref?: string;
  readonly useLatestVersions: boolean;
  readonly useDeprecatedVersions: boolean;
  /**
   * Environment variables set while building (not at run time). Absent when the config sets none, so that
   * configs written before envvars existed keep their digest (and their saved plans stay valid).
   */
  readonly envvars?: Readonly<Record<string, string>>;
}

/** Run from the image another component builds. */
export interface ReuseBuild {
  readonly kind: 'reuse';
  readonly reuseFrom: string;
}

export type BuildSpec = SourceBuild | ReuseBuild;

export type HealthCheck =
  { readonly type: 'http'; readonly path: string } | { readonly type: 'script'; readonly script: string };

/** Run fields both component types share. Undefined = not set by the user (jobs-api default applies). */
export interface CommonRun {
  /** Procfile process type or shell command; undefined only for a continuous component (= the `web` process). */
  readonly command?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly emails?: EmailMode;
  readonly filelog?: boolean;
  readonly filelogStdout?: string;
  readonly filelogStderr?: string;
  readonly mount?: MountMode;
}

export interface ContinuousRun extends CommonRun {
  readonly port?: number;
  readonly portProtocol?: PortProtocol;
  /** Only `/` is valid (upstream rule); exposes the component on the tool's public address. */
  readonly publish?: string;
  readonly replicas?: number;
  readonly healthCheck?: HealthCheck;
}

export interface ScheduledRun extends CommonRun {
  /** Cron text: 5 fields or an `@daily`-style macro. */
  readonly schedule: string;
  /** 0–5 */
  readonly retry?: number;
  /** Seconds, ≥ 0. */
  readonly timeout?: number;
}

/** A one-off job: runs to completion, retried `retry` times, failed after `timeout` seconds. */
export interface OneOffRun extends CommonRun {
  readonly command: string;
  /** 0–5 */
  readonly retry?: number;
  /** Seconds, ≥ 0 (0 = no limit). */
  readonly timeout?: number;
}

interface ComponentBase {
  readonly name: string;
  readonly description?: string;
  readonly build: BuildSpec;
  /** Components that must be ready before this one is deployed, in source order. */
  readonly waitFor: readonly string[];
}

export interface ContinuousComponent extends ComponentBase {
  readonly type: 'continuous';
  readonly run: ContinuousRun;
}

export interface ScheduledComponent extends ComponentBase {
  readonly type: 'scheduled';
  readonly run: ScheduledRun;
}

export interface OneOffComponent extends ComponentBase {
  readonly type: 'one-off';
  readonly run: OneOffRun;
}

export type Component = ContinuousComponent | ScheduledComponent | OneOffComponent;

/** Tool-wide settings (upstream's `defaults`). */
export interface ToolDefaults {
  readonly alerts: {
    /** E-mail the tool's maintainers about its alerts (upstream beta feature); default false. */
    readonly notify: boolean;
  };
}

export interface ToolConfig {
  /** Which dialect the source was written in (kept so that GET /config can answer in the same one). */
  readonly dialect: ConfigDialect;
  /** Upstream's `source_url`: the config is re-fetched from there on every set and deploy. */
  readonly sourceUrl?: string;
  /** Absent when the config has no `defaults` (then every default applies). */
  readonly defaults?: ToolDefaults;
  /** In source order. */
  readonly components: readonly Component[];
}
