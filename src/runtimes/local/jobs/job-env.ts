/**
 * The environment of a job's processes. Besides the tool's variables, every other continuous component with a
 * port is announced as `<NAME_UPPER_SNAKE>_URL=http://127.0.0.1:<port>`: that is how the components of a tool
 * find each other locally (on Toolforge they use the Kubernetes service name, `http://<name>:<port>`). The
 * variables are fixed when a process starts, so a component sees the components deployed before it — which
 * `wait-for` guarantees for the ones it depends on.
 */
import { delimiter, join } from 'node:path';
import type { JobSpec } from '../../../model/job-spec.js';

export function urlVariable(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
}

export interface JobEnvInput {
  readonly spec: JobSpec;
  readonly imageDir: string;
  readonly toolDataDir: string;
  readonly host: string;
  readonly toolEnv: Readonly<Record<string, string>>;
  /** The tool's other jobs. */
  readonly siblings: readonly JobSpec[];
}

export function jobEnv(input: JobEnvInput): NodeJS.ProcessEnv {
  const urls: Record<string, string> = {};
  for (const other of input.siblings) {
    if (other.name === input.spec.name || other.type !== 'continuous' || other.port === undefined) continue;
    urls[urlVariable(other.name)] = `http://${input.host}:${other.port}`;
  }
  const path = [
    join(input.imageDir, '.venv', 'bin'),
    join(input.imageDir, 'node_modules', '.bin'),
    process.env.PATH,
  ];
  // PORT belongs to the replica (set by the supervisor), never inherited from whoever started the runtime.
  const { PORT: _inherited, ...base } = process.env;
  return {
    ...base,
    ...urls,
    ...input.toolEnv,
    TOOL_DATA_DIR: input.toolDataDir,
    JOB_NAME: input.spec.name,
    PATH: path.filter((p) => p !== undefined && p !== '').join(delimiter),
  };
}
