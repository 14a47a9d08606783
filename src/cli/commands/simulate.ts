/**
 * `toolforge-components simulate`: run the builds-api + jobs-api simulator until Ctrl-C, so the CLI, the API
 * server or a person with curl can talk to a "Toolforge" on this machine (TOOL_TOOLFORGE_API_URL=<url>).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { untilStopSignal } from '../stop-signal.js';

interface SimulateOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly buildSeconds: number;
  readonly failRate: number;
  readonly failImage: string[];
  readonly buildQuota: number;
  readonly jobStartSeconds: number;
  readonly crashLoop: string[];
  readonly neverHealthy: string[];
  readonly errorRate: number;
  readonly slowRate: number;
  readonly slowSeconds: number;
  readonly latencyMs: number;
  readonly log: boolean;
}

function number(min: number, max = Number.POSITIVE_INFINITY) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a number between ${min} and ${max}`);
    }
    return value;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'Run a simulator of Toolforge builds-api and jobs-api (behind an API gateway URL) until Ctrl-C.',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', number(0, 65535), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'seed of the simulator PRNG (build ids, failures, faults)', number(0), 1)
    .option('--build-seconds <s>', 'how long a build takes', number(0), 5)
    .option('--fail-rate <p>', 'probability that a build fails', number(0, 1), 0)
    .option('--fail-image <name>', 'image name whose builds always fail (repeatable)', collect, [])
    .option(
      '--build-quota <n>',
      "concurrent builds per tool before builds-api answers 409 (builds-api's default)",
      number(1),
      8,
    )
    .option('--job-start-seconds <s>', 'time until a job runs', number(0), 2)
    .option('--crash-loop <job>', 'job name that crash-loops (repeatable)', collect, [])
    .option(
      '--never-healthy <job>',
      'job name whose health check never passes: killed and restarted when its startup probe gives up (repeatable)',
      collect,
      [],
    )
    .option('--error-rate <p>', 'probability of an injected 503 per request', number(0, 1), 0)
    .option('--slow-rate <p>', 'probability that a response is held back', number(0, 1), 0)
    .option('--slow-seconds <s>', 'how long slow responses are held back', number(0), 30)
    .option('--latency-ms <ms>', 'latency added to every request', number(0), 0)
    .option('--log', 'log every request', false)
    .action(async (options: SimulateOptions) => {
      // fastify and the simulator load only when it runs, not for `--help`
      const { startSimulator } = await import('../../simulator/simulator.js');
      const simulator = await startSimulator({
        port: options.port,
        host: options.host,
        seed: options.seed,
        logger: options.log,
        builds: {
          durationMs: options.buildSeconds * 1000,
          failRate: options.failRate,
          failImages: options.failImage,
          quota: options.buildQuota,
        },
        jobs: {
          startMs: options.jobStartSeconds * 1000,
          crashLoopJobs: options.crashLoop,
          neverHealthyJobs: options.neverHealthy,
          // Kubernetes' own times: 10 s first restart back-off, 120 s of startup probe.
          backoffMs: 10_000,
          startupProbeMs: 120_000,
        },
        faults: {
          errorRate: options.errorRate,
          slowRate: options.slowRate,
          slowMs: options.slowSeconds * 1000,
          latencyMs: options.latencyMs,
        },
      });
      console.log(`Toolforge simulator listening on ${simulator.url}`);
      console.log(`  builds-api: ${simulator.url}/builds/v1   jobs-api: ${simulator.url}/jobs/v1`);
      console.log(`  export TOOL_TOOLFORGE_API_URL=${simulator.url}`);
      console.log('Press Ctrl-C to stop.');
      await untilStopSignal();
      const stats = simulator.stats();
      await simulator.close();
      console.log(`Stopped after ${stats.builds} builds-api and ${stats.jobs} jobs-api requests.`);
    });
}
