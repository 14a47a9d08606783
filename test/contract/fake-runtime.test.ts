/**
 * The runtime contract, run for the in-memory fake that the executor tests, the API tests and the benchmarks
 * stand on: whatever they prove on the fake holds only as far as the fake keeps the promises the real runtimes
 * keep. Real time (the fake's default clock), short durations; no repository, process or server.
 */
import { FakeRuntime } from '../../src/runtimes/fake/fake-runtime.js';
import { runtimeContract } from './runtime.contract.js';

runtimeContract('fake', async () => {
  const repo = 'https://gitlab.example.org/contract/web.git';
  const runtime = new FakeRuntime({
    buildMs: 30,
    jobStartMs: 10,
    builds: { 'contract-slow': { durationMs: 60_000 } },
    repositories: { [repo]: { refs: ['main'] } },
  });
  return {
    runtime,
    tool: 'contract',
    repo,
    slowImageName: 'contract-slow',
    teardown: () => runtime.close(),
  };
});
