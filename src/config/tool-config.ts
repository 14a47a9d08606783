/**
 * The normalised tool config: what both dialects (the seed's `config-version: 0.1` kebab-case and upstream's
 * v1beta1 snake_case) load into. Everything downstream (status, plan, executor, API) reads only this model.
 *
 * Invariants (established by the loader, relied on everywhere else):
 * - `components` keeps the order of the source file; that order breaks every tie.
 * - names are unique, valid jobs-api job names;
 * - `reuse` builds name an existing component that itself builds from source (no chains);
 * - `waitFor` names existing components, never the component itself, and wait-for edges are acyclic (reuse
 *   edges tie a deploy to a build, which waits for nothing, so they cannot close a cycle);
 * - a scheduled component always has a `schedule`; a continuous one never has one.
 */

export const CONFIG_DIALECTS = ['seed', 'v1beta1'] as const;
export type ConfigDialect = (typeof CONFIG_DIALECTS)[number];

export const COMPONENT_TYPES = ['continuous', 'scheduled'] as const;
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

export type Component = ContinuousComponent | ScheduledComponent;

export interface ToolConfig {
  /** Which dialect the source was written in (kept so that GET /config can answer in the same one). */
  readonly dialect: ConfigDialect;
  /** Upstream's `source_url`: the config is re-fetched from there on every set and deploy. */
  readonly sourceUrl?: string;
  /** In source order. */
  readonly components: readonly Component[];
}
