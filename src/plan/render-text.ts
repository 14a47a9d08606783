/**
 * The human view of a plan, Terraform-style: a legend, one line per component with its action and reason
 * (field diffs indented under updates), the task order with who waits for whom, warnings, then the counts.
 * Reads only the serialisable Plan (what the API returns), so local and remote plans print the same.
 */
import type {
  BuildDecision,
  ComponentPlan,
  FieldChange,
  JobDecision,
  Plan,
  PlanTask,
} from '../model/plan.js';
import { PLAN_SYMBOLS } from '../model/plan.js';

export interface TextRenderOptions {
  /** ANSI colours (callers turn this off when stdout is not a TTY). */
  readonly color?: boolean;
}

type Paint = (code: string, text: string) => string;

const COLORS = { green: '32', yellow: '33', red: '31', cyan: '36', bold: '1', dim: '2' } as const;

const JOB_WORDS: Record<JobDecision['kind'], string> = {
  create: 'create',
  update: 'update',
  restart: 'restart',
  'no-op': 'no change',
  delete: 'delete',
  'leave-orphan': 'left in place',
  run: 'run',
};

const ORPHAN_SYMBOL = '!';

function jobSymbol(job: JobDecision): string {
  return job.kind === 'leave-orphan' ? ORPHAN_SYMBOL : PLAN_SYMBOLS[job.kind];
}

function jobColor(job: JobDecision): keyof typeof COLORS | undefined {
  switch (job.kind) {
    case 'create':
      return 'green';
    case 'update':
    case 'leave-orphan':
      return 'yellow';
    case 'restart':
    case 'run':
      return 'cyan';
    case 'delete':
      return 'red';
    default:
      return undefined;
  }
}

/** Build markers: what happens to the image. */
const BUILD_MARKERS: Record<BuildDecision['kind'], string> = {
  build: '*',
  'follow-build': '>',
  'reuse-build': '=',
  'from-component': '^',
  'shared-build': '^',
};

function legend(plan: Plan): string[] {
  const orphan = plan.components.some((c) => c.job.kind === 'leave-orphan')
    ? `  ${ORPHAN_SYMBOL} orphan left in place`
    : '';
  const run = plan.components.some((c) => c.type === 'one-off') ? `  ${PLAN_SYMBOLS.run} run once` : '';
  return [
    `Jobs:   ${PLAN_SYMBOLS.create} create  ${PLAN_SYMBOLS.update} update  ${PLAN_SYMBOLS.restart} restart  ${PLAN_SYMBOLS.delete} delete${run}${orphan}`,
    'Images: * new build  > follow a running build  = reuse a build  ^ image of another component',
  ];
}

function formatValue(value: unknown): string {
  return value === undefined ? '(default)' : JSON.stringify(value);
}

function changeLine(change: FieldChange): string {
  return `${change.field}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
}

/**
 * Appends one line per component. Loops, never `push(...many)` or `Math.max(...many)`: a spread passes every
 * element as an argument, and a tool with a few hundred thousand components overflows the call stack.
 */
function addComponentLines(lines: string[], plan: Plan, paint: Paint): void {
  let longestName = 0;
  let wordWidth = 0;
  for (const c of plan.components) {
    longestName = Math.max(longestName, c.name.length);
    wordWidth = Math.max(wordWidth, JOB_WORDS[c.job.kind].length);
  }
  const width = Math.min(40, longestName);
  for (const c of plan.components) {
    const marker = c.build ? BUILD_MARKERS[c.build.kind] : ' ';
    const color = jobColor(c.job);
    const symbol = jobSymbol(c.job).padEnd(3);
    const head = `${marker} ${symbol} ${c.name.padEnd(width)}  ${JOB_WORDS[c.job.kind].padEnd(wordWidth)}`;
    lines.push(`  ${color ? paint(COLORS[color], head) : head}  ${paint(COLORS.dim, `(${c.reason})`)}`);
    if (c.job.kind === 'update')
      for (const change of c.job.changes) lines.push(`          ${changeLine(change)}`);
  }
}

function taskLine(task: PlanTask, position: number, byName: ReadonlyMap<string, ComponentPlan>): string {
  const notes: string[] = [];
  const build = byName.get(task.component)?.build;
  if (task.kind === 'build' && build?.kind === 'follow-build')
    notes.push(`follows running build ${build.buildId}`);
  if (task.kind === 'delete') notes.push('after all other tasks');
  else {
    for (const dep of task.dependsOn) {
      const [kind, name] = [
        dep.task.slice(0, dep.task.indexOf(':')),
        dep.task.slice(dep.task.indexOf(':') + 1),
      ];
      // A one-off's deploy is its run: "waits for migrate completed" says the run must end with exit 0.
      const run = kind === 'deploy' && dep.condition === 'completed';
      notes.push(
        dep.condition === 'completed' && !run
          ? `after ${kind} ${name}`
          : `waits for ${name} ${dep.condition}`,
      );
    }
  }
  const verb = task.operation.kind === 'run-once' ? 'run' : task.kind;
  const text = `[${position}] ${verb} ${task.component}`;
  return notes.length > 0 ? `  ${text}  (${notes.join(', ')})` : `  ${text}`;
}

function summaryLine(plan: Plan): string {
  if (plan.tasks.length === 0) return 'No changes. The tool matches the configuration.';
  const s = plan.summary;
  const run = s.toRun !== undefined && s.toRun > 0 ? `, ${s.toRun} to run` : '';
  return `Plan: ${s.toBuild} to build, ${s.toCreate} to create, ${s.toUpdate} to update, ${s.toRestart} to restart${run}, ${s.toDelete} to delete.`;
}

export function renderPlanText(plan: Plan, options: TextRenderOptions = {}): string {
  const paint: Paint = options.color
    ? (code, text) => `\u001b[${code}m${text}\u001b[0m`
    : (_code, text) => text;
  const title = `Plan ${plan.id} for tool ${plan.tool}`;
  const header =
    plan.rollbackTo !== undefined ? `Rollback to deployment ${plan.rollbackTo}: ${title}` : title;
  const lines = [paint(COLORS.bold, header), '', ...legend(plan), ''];
  if (plan.components.length > 0) {
    addComponentLines(lines, plan, paint);
    lines.push('');
  }
  if (plan.tasks.length > 0) {
    const byName = new Map(plan.components.map((c) => [c.name, c]));
    lines.push(paint(COLORS.bold, 'Task order:'));
    plan.tasks.forEach((t, i) => lines.push(taskLine(t, i + 1, byName)));
    lines.push('');
  }
  if (plan.warnings.length > 0) {
    lines.push(paint(COLORS.bold, 'Warnings:'));
    for (const w of plan.warnings) lines.push(`  ${paint(COLORS.yellow, `warning: ${w}`)}`);
    lines.push('');
  }
  lines.push(paint(COLORS.bold, summaryLine(plan)));
  return `${lines.join('\n')}\n`;
}
