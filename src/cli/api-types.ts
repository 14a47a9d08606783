/**
 * What the CLI reads from the components-api, typed loosely on purpose: upstream leaves out unset fields
 * (docs/upstream-compat.md#envelope), so every field a client shows may be missing and gets a default (`unknown` for a status).
 */
export interface BuildInfoJson {
  readonly build_id?: string;
  readonly build_status?: string;
  readonly build_image?: string;
  readonly build_long_status?: string;
}

export interface RunInfoJson {
  readonly run_status?: string;
  readonly run_long_status?: string;
}

/** Our richer per-task record (absent on upstream servers). */
export interface TaskJson {
  readonly id: string;
  readonly kind: string;
  readonly component: string;
  readonly state: string;
  readonly reason?: string;
  readonly attempts?: number;
  readonly waiting_for?: readonly string[];
  readonly depends_on?: ReadonlyArray<{ readonly task: string; readonly condition: string }>;
  readonly external_id?: string;
  readonly started_at?: string;
  readonly finished_at?: string;
}

export interface DeploymentJson {
  readonly deploy_id: string;
  readonly creation_time?: string;
  readonly description?: string;
  readonly builds?: Readonly<Record<string, BuildInfoJson>>;
  readonly runs?: Readonly<Record<string, RunInfoJson>>;
  readonly tool_config?: unknown;
  readonly status?: string;
  readonly long_status?: string;
  readonly force_build?: boolean;
  readonly force_run?: boolean;
  readonly plan_id?: string;
  readonly tasks?: readonly TaskJson[];
  /** Ours: what it deployed per component (src/execute/deployed.ts). */
  readonly deployed?: Readonly<
    Record<string, { readonly commit?: string; readonly build_id?: string; readonly image?: string }>
  >;
  /** Ours, on a rollback: the deployment it deploys again. */
  readonly rollback_to?: string;
  /** Only in the answer of a deploy or rollback: its plan (docs/plan-json.md). */
  readonly plan?: unknown;
}

export interface DeployTokenJson {
  /** Absent when the server cannot show it (a token stored only as a hash; a warning says why). */
  readonly token?: string;
  readonly creation_date?: string;
  readonly expiration_date?: string;
  readonly token_exists?: boolean;
}
