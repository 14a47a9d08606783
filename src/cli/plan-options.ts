/** The options of `plan FILE` (and of `deploy --only-plan`'s plan), as commander parses them. */
export interface PlanCommandOptions {
  readonly status?: string;
  /** Plan against an empty tool (or `--status`) even when a components API is reachable. */
  readonly offline?: boolean;
  /** The global `--api-url`: a server to plan against (an unreachable one is then an error, not a fallback). */
  readonly apiUrl?: string;
  readonly tool?: string;
  readonly json?: boolean;
  readonly forceBuild?: boolean;
  readonly forceRun?: boolean;
  readonly prune?: boolean;
  readonly only?: string;
  readonly resolveRefs?: boolean;
  readonly detailedExitcode?: boolean;
}
