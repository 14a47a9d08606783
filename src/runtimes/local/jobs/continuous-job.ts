/**
 * A continuous job: `replicas` supervised processes. With one replica the process listens on the declared port
 * itself; with several, each gets an internal port and a round-robin proxy owns the declared port. Its record
 * says how many replicas are ready and, when one crash-loops, its last exit and log lines.
 */
import type { JobSpec } from '../../../model/job-spec.js';
import type { JobRecord } from '../../../model/observed-state.js';
import type { LogFile } from '../logs/log-file.js';
import type { PidRegistry } from '../process/pid-registry.js';
import { describeExit } from '../process/process-group.js';
import type { LocalTimings } from '../timings.js';
import { freePort } from './free-port.js';
import { specFields } from './job-record.js';
import { checkPortFree } from './port-check.js';
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
/** Log lines shown with a failure that is not a crash (wrong port): enough to see what the process said. */
const FAILURE_LOG_LINES = 5;

export class ContinuousJob {
  private replicas: Replica[] = [];
  private proxy?: RoundRobinProxy;
  /** Why the job could not start at all (its port is taken, the proxy cannot listen): it then stays `failed`. */
  private startError?: string;

  constructor(private readonly options: ContinuousJobOptions) {}

  get wanted(): number {
    return Math.max(1, this.options.spec.replicas ?? 1);
  }

  /** Pids of the running replicas (tests, diagnostics). */
  get pids(): number[] {
    return this.replicas.flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
  }

  /** The job could not start (see `startError`): an unchanged upsert tries again, the cause may be gone. */
  get blocked(): boolean {
    return this.startError !== undefined;
  }

  async start(): Promise<void> {
    const { spec, host } = this.options;
    // Before anything starts: a port held by another program would otherwise show as a crash loop on
    // EADDRINUSE, and that program's server as this job's published URL.
    if (spec.port !== undefined) {
      const check = await checkPortFree(host, spec.port);
      if (!check.free) {
        this.startError = check.reason;
        this.options.log.write(spec.name, `cannot start: ${check.reason}`);
        return;
      }
    }
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
        this.startError = `cannot listen on ${host}:${spec.port}: ${(error as Error).message}`;
        this.options.log.write(spec.name, this.startError);
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
    this.startError = undefined;
    await this.start();
  }

  record(): JobRecord {
    const { spec, host } = this.options;
    const ready = this.replicas.filter((r) => r.ready).length;
    const looping = this.replicas.find((r) => r.crashLooping);
    const elsewhere = this.replicas.find((r) => r.listensElsewhere !== undefined && r.running);
    const running = this.replicas.some((r) => r.running);
    let state: JobRecord['state'] = running ? 'running' : 'pending';
    let message = `${ready}/${this.wanted} replicas ready`;
    if (this.startError !== undefined) {
      state = 'failed';
      message = this.startError;
    } else if (looping) {
      state = 'crash-looping';
      const lastExit = looping.lastExit ? describeExit(looping.lastExit) : 'unknown exit';
      const lines = this.options.log.lastLines(MESSAGE_LOG_LINES, looping.options.label);
      message = `crash-looping: ${looping.options.label} restarted ${looping.restarts} times, last ${lastExit}; last log lines:\n${lines.join('\n')}`;
    } else if (elsewhere) {
      // As final as a crash loop: waiting longer cannot make a process listen on another port.
      state = 'failed';
      message = `${this.wrongPortText(elsewhere)}; last log lines:\n${this.options.log
        .lastLines(FAILURE_LOG_LINES, elsewhere.options.label)
        .join('\n')}`;
    }
    // Only a job that runs, on a port it holds, is published: never another program's server.
    const url =
      spec.publish !== undefined && spec.port !== undefined && state !== 'failed'
        ? `http://${host}:${spec.port}/`
        : undefined;
    if (url !== undefined) message += `; published at ${url}`;
    const healthReason = this.healthReason(ready);
    return {
      ...specFields(spec),
      state,
      health: this.health(ready, looping !== undefined),
      readyReplicas: ready,
      message,
      ...(healthReason !== undefined ? { healthReason } : {}),
      url,
    };
  }

  /** `web listens on 127.0.0.1:8080, not on the configured port 8000 (run.port, given as $PORT)`. */
  private wrongPortText(replica: Replica): string {
    const ports = (replica.listensElsewhere ?? []).join(', ');
    const own = replica.options.port;
    const declared = this.options.spec.port;
    const which =
      own === declared
        ? `the configured port ${own} (run.port, given to it as $PORT)`
        : `its port ${own} (given to it as $PORT; the proxy serves run.port ${declared})`;
    return `${replica.options.label} listens on ${this.options.host}:${ports}, not on ${which}; nothing answers on port ${own}`;
  }

  /** Why not every replica is healthy, in a few words (the first failing replica's last probe). */
  private healthReason(ready: number): string | undefined {
    if (this.startError !== undefined) return this.startError;
    if (!this.options.spec.healthCheck || ready === this.wanted) return undefined;
    const failing = this.replicas.find((r) => !r.ready && r.probeFailure !== undefined);
    if (!failing) return undefined;
    const who = this.wanted > 1 ? `${failing.options.label}: ` : '';
    return `${who}${failing.probeFailure}`;
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
