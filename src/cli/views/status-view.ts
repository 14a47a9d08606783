/**
 * `status`: the tool's components as a table (what the config says vs what runs), from GET /status's ToolStatus.
 */
import type { Paint } from '../output.js';
import { simpleTable } from './table.js';
import {
  COMPONENT_STATUSES,
  type ComponentStatusJsonT,
  type JobRecordJsonT,
  type ToolStatusJsonT,
} from '../../model/wire/tool-status-json.js';

export type ToolStatusJson = ToolStatusJsonT;
type ComponentStatusJson = ComponentStatusJsonT;
type JobJson = JobRecordJsonT;

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

const STATE_COLOUR: Readonly<Record<ComponentStatusJson['status'], Parameters<Paint>[0]>> = {
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
  return `${job.state}${replicas}`;
}

function buildCell(c: ComponentStatusJson): string {
  const build = c.latestBuild;
  if (build) return `${build.id} (${build.state})`;
  return c.job?.image ?? '-';
}

/** A one-off's last run: `  migrate: last run succeeded (exit code 0) at <time>, image <image>`. */
function lastRunLine(c: ComponentStatusJson): string | undefined {
  const run = c.job?.lastRun;
  if (!run) return undefined;
  const code = run.exitCode !== undefined ? ` (exit code ${run.exitCode})` : '';
  const at = run.finishedAt ?? run.startedAt;
  const why = run.message ? `: ${run.message}` : '';
  return `  ${c.name}: last run ${run.state}${code}${at ? ` at ${at}` : ''}, image ${c.job?.image ?? '?'}${why}`;
}

const show = (value: unknown): string => (value === undefined ? 'unset' : JSON.stringify(value));

export function renderToolStatus(status: ToolStatusJson, paint: Paint): string[] {
  const components = status.components;
  const lines = [`Tool: ${status.tool}${status.observedAt ? ` (observed ${status.observedAt})` : ''}`];
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
  lines.push(COMPONENT_STATUSES.map((k) => `${status.counts[k]} ${k}`).join(', '));
  return lines;
}
