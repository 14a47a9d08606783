/**
 * Deployment events of the local service: one JSON line per event appended to the tool's event log,
 * `<data dir>/logs/<tool>/events/deployments.jsonl`, next to the tool's job and build logs (a folder of its own,
 * so no job name can collide with it). The same fields as the Toolforge logs service receives.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DeploymentEventSink, DeploymentLogEvent } from '../execute/deployment-events.js';

export function deploymentEventLog(dataDir: string, tool: string): string {
  return join(dataDir, 'logs', tool, 'events', 'deployments.jsonl');
}

export class LocalEventSink implements DeploymentEventSink {
  constructor(readonly dataDir: string) {}

  async send(tool: string, event: DeploymentLogEvent): Promise<void> {
    const file = deploymentEventLog(this.dataDir, tool);
    await mkdir(dirname(file), { recursive: true });
    // One write per line with O_APPEND: concurrent events of one tool never interleave within a line.
    await appendFile(file, `${JSON.stringify(event)}\n`, 'utf8');
  }
}
