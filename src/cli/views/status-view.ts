/**
 * `status`: the tool's components as a table (what the config says vs what runs), from GET /status's ToolStatus.
 */
import type { Paint } from '../output.js';
import { simpleTable } from './table.js';

interface JobJson {
  readonly state?: string;
  readonly health?: string;
  readonly image?: string;
  readonly replicas?: number;
  readonly readyReplicas?: number;
  /** A one-off job's last run. */
  readonly lastRun?: {
    readonly state?: string;
    readonly startedAt?: string;
    readonly finishedAt?: string;
    readonly exitCode?: number;
    readonly message?: string;
  };
}

interface BuildJson {
  readonly id?: string;
  readonly state?: string;
  readonly image?: string;
}

interface ComponentStatusJson {
  readonly name: string;
  readonly status: string;
  readonly type?: string;
  readonly job?: JobJson;
  readonly drift?: ReadonlyArray<{
    readonly field: string;
    readonly before: unknown;
    readonly after: unknown;
  }>;
  readonly latestBuild?: BuildJson;
}

export interface ToolStatusJson {
  readonly tool?: string;
  readonly observedAt?: string;
  readonly components?: readonly ComponentStatusJson[];
  readonly counts?: Readonly<Record<string, number>>;
  /** Ours: the stored config differs from what the last successful deployment deployed. */
  readonly undeployedChanges?: boolean;
  readonly lastSuccessfulDeployment?: string;
}

/** The "undeployed changes" line (issue 13), or none when the server does not say. */
function deployedLine(status: ToolStatusJson, paint: Paint): string[] {
  if (status.undeployedChanges === undefined) return [];
  const last = status.lastSuccessfulDeployment;
  if (!status.undeployedChanges) return last ? [`Config: deployed (deployment ${last})`] : [];
  return [
    paint(
      'yellow',
      last
        ? `Config: undeployed changes (the stored config differs from what deployment ${last} deployed)`
        : 'Config: undeployed changes (no deployment of it succeeded yet)',
    ),
  ];
}

const STATE_COLOUR: Readonly<Record<string, Parameters<Paint>[0]>> = {
  managed: 'green',
  drifted: 'yellow',
  missing: 'yellow',
  orphaned: 'red',
  unmanaged: 'dim',
};

function jobCell(job: JobJson | undefined): string {
  if (!job) return '-';
  const replicas =
    job.replicas !== undefined && job.readyReplicas !== undefined
      ? ` ${job.readyReplicas}/${job.replicas}`
      : '';
  return `${job.state ?? 'unknown'}${replicas}`;
}

function buildCell(c: ComponentStatusJson): string {
  const build = c.latestBuild;
  if (build) return `${build.id ?? '?'} (${build.state ?? 'unknown'})`;
  return c.job?.image ?? '-';
}

/** A one-off's last run: `  migrate: last run succeeded (exit code 0) at <time>, image <image>`. */
function lastRunLine(c: ComponentStatusJson): string | undefined {
  const run = c.job?.lastRun;
  if (!run) return undefined;
  const code = run.exitCode !== undefined ? ` (exit code ${run.exitCode})` : '';
  const at = run.finishedAt ?? run.startedAt;
  const why = run.message ? `: ${run.message}` : '';
  return `  ${c.name}: last run ${run.state ?? 'unknown'}${code}${at ? ` at ${at}` : ''}, image ${c.job?.image ?? '?'}${why}`;
}

const show = (value: unknown): string => (value === undefined ? 'unset' : JSON.stringify(value));

export function renderToolStatus(status: ToolStatusJson, paint: Paint): string[] {
  const components = status.components ?? [];
  const lines = [`Tool: ${status.tool ?? '?'}${status.observedAt ? ` (observed ${status.observedAt})` : ''}`];
  lines.push(...deployedLine(status, paint));
  if (components.length === 0) return [...lines, 'No components configured and no jobs running.'];
  const rows = components.map((c) => [
    c.name,
    c.type ?? '-',
    paint(STATE_COLOUR[c.status] ?? 'yellow', c.status),
    jobCell(c.job),
    c.job?.health ?? '-',
    buildCell(c),
  ]);
  lines.push(
    ...simpleTable(
      ['NAME', 'TYPE', 'STATE', 'JOB', 'HEALTH', 'IMAGE / BUILD'].map((h) => paint('bold', h)),
      rows,
    ),
  );
  for (const c of components) {
    const run = lastRunLine(c);
    if (run) lines.push(run);
    for (const change of c.drift ?? []) {
      lines.push(`  ${c.name}: ${change.field}: ${show(change.before)} → ${show(change.after)}`);
    }
  }
  const counts = status.counts;
  if (counts) {
    lines.push(
      ['managed', 'drifted', 'missing', 'orphaned', 'unmanaged']
        .map((k) => `${counts[k] ?? 0} ${k}`)
        .join(', '),
    );
  }
  return lines;
}
