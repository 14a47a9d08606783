/**
 * A components server process with the Toolforge runtime and tunable executor times, for the restart and
 * multi-replica e2e tests (`serve` has no flags for lease TTL, ticks or wait deadlines):
 *   E2E_DATABASE=<sqlite path | postgres://…> E2E_DATA_DIR=<dir> E2E_TUNING='{"executor":{…},"runtime":{…}}'
 *   TOOL_TOOLFORGE_API_URL=<simulator> node --import tsx test/support/toolforge-instance.ts
 * Prints `listening <url>`; SIGTERM shuts it down gracefully.
 */
import { startInstance } from '../../src/instance/start-instance.js';
import { toolforgeRuntimeFromEnvironment } from '../../src/runtimes/toolforge/toolforge-environment.js';
import { GuardedRuntime } from '../../src/runtimes/guarded-runtime.js';
import type { InstanceTuning } from './toolforge-e2e.js';

const database = process.env.E2E_DATABASE;
const dataDir = process.env.E2E_DATA_DIR;
if (!database || !dataDir) {
  console.error('toolforge-instance: set E2E_DATABASE and E2E_DATA_DIR');
  process.exit(2);
}
const tuning = JSON.parse(process.env.E2E_TUNING ?? '{}') as InstanceTuning;
const instance = await startInstance({
  // Guarded here, as `serve` guards it, so the API's reads are retried too; the executor keeps this guard.
  runtime: new GuardedRuntime(toolforgeRuntimeFromEnvironment({}, tuning.runtime ?? {}), tuning.guard ?? {}),
  dataDir,
  databaseUrl: database,
  host: '127.0.0.1',
  port: 0,
  executor: tuning.executor ?? {},
});
console.log(`listening ${instance.url} owner ${instance.executor.owner}`);
process.once('SIGTERM', () => {
  void instance.close().finally(() => process.exit(0));
});
