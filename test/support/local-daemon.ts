/**
 * A throw-away daemon for the persistence test: deploys one web job from the repository given in argv, prints
 * `ready <port>` once it is healthy, then idles until killed (the test kills it with SIGKILL, as a crash would).
 * Usage: node --import tsx test/support/local-daemon.ts <dataDir> <repository> <port>
 */
import { LocalRuntime } from '../../src/runtimes/local/local-runtime.js';
import { FAST_TIMINGS, buildImage } from './local-kit.js';

const [dataDir, repository, port] = process.argv.slice(2);
if (dataDir === undefined || repository === undefined || port === undefined) process.exit(2);
const runtime = new LocalRuntime({ dataDir, timings: FAST_TIMINGS });
const image = await buildImage(runtime, 't1', 'web', repository);
await runtime.upsertJob('t1', {
  name: 'web',
  type: 'continuous',
  image,
  command: 'web',
  port: Number(port),
  healthCheck: { type: 'http', path: '/' },
});
for (;;) {
  const job = (await runtime.observe('t1')).jobs[0];
  if (job?.health === 'healthy') break;
  await new Promise((r) => setTimeout(r, 50));
}
console.log(`ready ${runtime.jobPids('t1', 'web').join(',')}`);
setInterval(() => undefined, 60_000);
