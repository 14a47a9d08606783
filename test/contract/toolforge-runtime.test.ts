/** The runtime contract, run for the Toolforge runtime against the builds-api + jobs-api simulator. */
import { startSimulator } from '../../src/simulator/simulator.js';
import { ToolforgeRuntime } from '../../src/runtimes/toolforge/toolforge-runtime.js';
import { createTempGitRepo, runtimeContract } from './runtime.contract.js';

runtimeContract('toolforge (simulator)', async () => {
  const repo = createTempGitRepo();
  const simulator = await startSimulator({
    seed: 7,
    builds: { durationMs: 30, durationByImage: { 'contract-slow': 60_000 } },
    jobs: { startMs: 10 },
  });
  const runtime = new ToolforgeRuntime({ apiUrl: simulator.url, timeoutMs: 5_000 });
  return {
    runtime,
    tool: 'contract',
    repo: repo.path,
    slowImageName: 'contract-slow',
    async teardown() {
      await runtime.close();
      await simulator.close();
      repo.cleanup();
    },
  };
});
