/**
 * Upstream's texts for a deployment: the summary block of `deployment create`, the detail block of `deployment
 * show|cancel|delete` and the table of `deployment list`. Missing fields get upstream's defaults.
 */
import type { DeploymentJson } from '../api-types.js';
import { statusColour, type Paint } from '../output.js';
import { cut, simpleTable } from './table.js';
import { toBlockYaml } from './yaml-view.js';

const plain: Paint = (_colour, text) => text;

function status(paint: Paint, value: string | undefined): string {
  const text = value ?? 'unknown';
  return paint(statusColour(text), text);
}

function buildEntries(d: DeploymentJson): Array<[string, NonNullable<DeploymentJson['builds']>[string]]> {
  return Object.entries(d.builds ?? {});
}

/** A run as shown: upstream's run states, plus `unchanged` for a component the plan leaves alone. */
type RunInfo = Omit<DeploymentJson['runs'][string], 'run_status'> & {
  readonly run_status: DeploymentJson['runs'][string]['run_status'] | 'unchanged';
};

/**
 * A component the plan leaves alone is `pending` in the API while the deployment runs (upstream has no word for
 * it); shown as `unchanged`, since nothing is going to happen to it.
 */
function runEntries(d: DeploymentJson): Array<[string, RunInfo]> {
  return Object.entries(d.runs ?? {}).map(([c, r]): [string, RunInfo] =>
    (r.run_status === 'pending' || r.run_status === 'skipped') &&
    / is already up to date$/.test(r.run_long_status ?? '')
      ? [c, { ...r, run_status: 'unchanged' }]
      : [c, r],
  );
}

/** `deployment create`: id, creation time, then each build id and each run's long status. */
export function renderDeploymentSummary(d: DeploymentJson, paint: Paint = plain): string[] {
  return [
    `${paint('bold', 'Deployment ID:')} ${d.deploy_id}`,
    `${paint('bold', 'Created:')} ${d.creation_time ?? ''}`,
    '',
    paint('bold', 'Builds:'),
    ...buildEntries(d).map(([c, b]) => `  ${c}(${status(paint, b.build_status)}): ${b.build_id ?? ''}`),
    '',
    paint('bold', 'Runs:'),
    ...runEntries(d).map(([c, r]) => `  ${c}(${status(paint, r.run_status)}): ${r.run_long_status ?? ''}`),
  ];
}

/**
 * Upstream's hint names `toolforge build logs <id>`, which exists only within Toolforge's CLI; run on its own,
 * this CLI points at its own command for the component's build log.
 */
function buildLogHint(component: string, text: string): string {
  if (process.env.TOOLFORGE_CLI === '1') return text;
  return text.replace(/`toolforge build logs [^`]+`/g, `\`toolforge-components logs ${component} --build\``);
}

/** Where a failed build's whole log is. */
function failedBuildHint(component: string, id: string): string {
  return process.env.TOOLFORGE_CLI === '1'
    ? `Its log: toolforge build logs ${id}`
    : `Its log: toolforge-components logs ${component} --build`;
}

/** A long status over several lines (a build's last log lines): the lines after the first indented under it. */
function indented(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

/** `deployment show`: labels, long status, builds, runs, then the config snapshot as sorted YAML. */
export function renderDeploymentDetail(d: DeploymentJson, paint: Paint = plain): string[] {
  const configYaml =
    d.tool_config === undefined || d.tool_config === null
      ? ''
      : toBlockYaml(d.tool_config, { sortKeys: true });
  return [
    `${paint('bold', 'Deployment ID: ')}${d.deploy_id}`,
    `${paint('bold', 'Created: ')}${d.creation_time ?? ''}`,
    `${paint('bold', 'Status: ')}${status(paint, d.status)}`,
    paint('bold', 'Long status: '),
    ...(d.long_status ?? '').split('\n').map((line) => `  ${line}`),
    '',
    paint('bold', 'Builds:'),
    ...buildEntries(d).flatMap(([c, b]) => [
      indented(
        `  ${c}(${status(paint, b.build_status)}): id:${b.build_id ?? ''} ${buildLogHint(c, b.build_long_status ?? '')}`,
      ),
      ...(b.build_status === 'failed' ? [`    ${failedBuildHint(c, b.build_id ?? '')}`] : []),
    ]),
    '',
    paint('bold', 'Runs:'),
    ...runEntries(d).map(([c, r]) => `  ${c}(${status(paint, r.run_status)}): ${r.run_long_status ?? ''}`),
    '',
    ...deployedSection(d, paint),
    paint('bold', 'Tool config:'),
    ...configYaml
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => `  ${line}`),
  ];
}

/**
 * Ours, after upstream's sections: what the deployment deployed (commit and image per component), which is
 * what runs after it and what a rollback to it deploys again. Left out when the server does not say.
 */
function deployedSection(d: DeploymentJson, paint: Paint): string[] {
  const entries = Object.entries(d.deployed ?? {});
  if (entries.length === 0 && d.rollback_to === undefined) return [];
  return [
    ...(d.rollback_to !== undefined ? [`${paint('bold', 'Rollback to: ')}${d.rollback_to}`, ''] : []),
    ...(entries.length > 0
      ? [
          paint('bold', 'Deployed:'),
          ...entries.map(
            ([c, x]) =>
              `  ${c}: commit ${x.commit?.slice(0, 12) ?? 'unknown'}, image ${x.image ?? 'not built'}${x.build_id ? ` (build ${x.build_id})` : ''}`,
          ),
          '',
        ]
      : []),
  ];
}

/** `deployment list`: tabulate "simple" with bold headers; one line per component in the Builds/Runs cells. */
export function renderDeploymentTable(
  deployments: readonly DeploymentJson[],
  paint: Paint = plain,
): string[] {
  const headers = ['ID', 'Creation time', 'Status', 'Builds', 'Runs'].map((h) => paint('bold', h));
  const rows = deployments.map((d) => [
    d.deploy_id,
    d.creation_time ?? '',
    status(paint, d.status),
    buildEntries(d)
      .map(
        ([c, b]) =>
          `${c}(${status(paint, b.build_status)}): id:${b.build_id ?? ''} ${cut(b.build_long_status)}`,
      )
      .join('\n'),
    runEntries(d)
      .map(([c, r]) => `${c}(${status(paint, r.run_status)}): ${cut(r.run_long_status)}`)
      .join('\n'),
  ]);
  return simpleTable(headers, rows);
}
