/** A build as we ask the runtime to start it (a plan build operation carries one). */
export interface BuildRequest {
  /** Image name (upstream: the component name). */
  readonly imageName: string;
  readonly repository: string;
  readonly ref?: string;
  readonly useLatestVersions: boolean;
  readonly useDeprecatedVersions: boolean;
  /** Build-time environment variables (config `build.envvars`); empty when the config sets none. */
  readonly envvars?: Readonly<Record<string, string>>;
}
