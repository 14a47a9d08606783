/**
 * A continuous job: `replicas` supervised processes. With one replica the process listens on the declared port
 * itself; with several, each gets an internal port and a round-robin proxy owns the declared port. Its record
 * says how many replicas are ready and, when one crash-loops, its last exit and log lines.
 */
import type { JobSpec } from '../../runtime.js';
import type { JobRecord } from '../../../status/observed-state.js';
import type { LogFile } from '../logs/log-file.js';
import type { PidRegistry } from '../process/pid-registry.js';
import { describeExit } from '../process/process-group.js';
import type { LocalTimings } from '../timings.js';
import { freePort } from './free-port.js';
import { specFields } from './job-record.js';
import { Replica } from './replica.js';
import { RoundRobinProxy } from './round-robin-proxy.js';

export interface ContinuousJobOptions {
  readonly spec: JobSpec;
  readonly shellCommand: string;
  readonly imageDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  readonly timings: LocalTimings;
  readonly log: LogFile;
  readonly registry: PidRegistry;
}

const MESSAGE_LOG_LINES = 10;

export class ContinuousJob {
  private replicas: Replica[] = [];
  private proxy?: RoundRobinProxy;
  private proxyError?: string;

  constructor(private readonly options: ContinuousJobOptions) {}

  get wanted(): number {
    return Math.max(1, this.options.spec.replicas ?? 1);
  }

  /** Pids of the running replicas (tests, diagnostics). */
  get pids(): number[] {
    return this.replicas.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
  }

  async start(): Promise<void> {
    const { spec, host } = this.options;
    const ports = await this.replicaPorts();
    this.replicas = ports.map(
      (port, index) =>
        new Replica({
          label: this.wanted === 1 ? spec.name : `${spec.name}-${index}`,
          command: this.options.shellCommand,
          cwd: this.options.imageDir,
          env: this.options.env,
          host,
          port,
          healthCheck: spec.healthCheck,
          timings: this.options.timings,
          log: this.options.log,
          registry: this.options.registry,
        }),
    );
    if (this.wanted > 1 && spec.port !== undefined) {
      const proxy = new RoundRobinProxy(host, spec.port, () =>
        this.replicas.flatMap((r) => (r.ready && r.options.port !== undefined ? [r.options.port] : [])),
      );
      try {
        await proxy.listen();
        this.proxy = proxy;
      } catch (error) {
        this.proxyError = `cannot listen on ${host}:${spec.port}: ${(error as Error).message}`;
        this.options.log.write(spec.name, this.proxyError);
        return;
      }
    }
    for (const replica of this.replicas) replica.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.proxy?.close(), ...this.replicas.map((r) => r.stop())]);
    this.proxy = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.proxyError = undefined;
    await this.start();
  }

  record(): JobRecord {
    const { spec, host } = this.options;
    const ready = this.replicas.filter((r) => r.ready).length;
    const url =
      spec.publish !== undefined && spec.port !== undefined ? `http://${host}:${spec.port}/` : undefined;
    const looping = this.replicas.find((r) => r.crashLooping);
    const running = this.replicas.some((r) => r.running);
    let state: JobRecord['state'] = running ? 'running' : 'pending';
    let message = `${ready}/${this.wanted} replicas ready`;
    if (this.proxyError !== undefined) {
      state = 'failed';
      message = this.proxyError;
    } else if (looping) {
      state = 'crash-looping';
      const lastExit = looping.lastExit ? describeExit(looping.lastExit) : 'unknown exit';
      const lines = this.options.log.lastLines(MESSAGE_LOG_LINES, looping.options.label);
      message = `crash-looping: ${looping.options.label} restarted ${looping.restarts} times, last ${lastExit}; last log lines:\n${lines.join('\n')}`;
    }
    if (url !== undefined && state !== 'failed') message += `; published at ${url}`;
    return {
      ...specFields(spec),
      state,
      health: this.health(ready, looping !== undefined),
      readyReplicas: ready,
      message,
      url,
    };
  }

  private health(ready: number, looping: boolean): JobRecord['health'] {
    if (!this.options.spec.healthCheck) return 'none';
    if (ready === this.wanted) return 'healthy';
    if (looping || this.replicas.some((r) => r.degraded)) return 'unhealthy';
    return 'starting';
  }

  private async replicaPorts(): Promise<(number | undefined)[]> {
    const port = this.options.spec.port;
    if (this.wanted === 1) return [port];
    if (port === undefined) return Array.from({ length: this.wanted }, () => undefined);
    const ports: number[] = [];
    while (ports.length < this.wanted) {
      const free = await freePort(this.options.host);
      if (!ports.includes(free)) ports.push(free);
    }
    return ports;
  }
}
