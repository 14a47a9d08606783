/** The runtime contract, run for the local runtime: real git repository, real build, real processes. */
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, commitFiles, tempDir } from '../support/local-kit.js';
import { runtimeContract } from './runtime.contract.js';

runtimeContract('local', async () => {
  const tmp = tempDir('contract-local');
  const repo = join(tmp.path, 'repo');
  // The contract's Procfile (web + cleanup), with a web process that really stays up.
  commitFiles(repo, {
    Procfile: 'web: node server.js\ncleanup: echo cleaned\n',
    'server.js': "setInterval(() => undefined, 60_000);\nprocess.on('SIGTERM', () => process.exit(0));\n",
  });
  const runtime = new LocalRuntime({ dataDir: join(tmp.path, 'data'), timings: FAST_TIMINGS });
  return {
    runtime,
    tool: 'contract',
    repo,
    async teardown() {
      await runtime.shutdown();
      tmp.remove();
    },
  };
});
