/**
 * One supervised process of a continuous job. It restarts whatever way the process ends (a continuous job is
 * meant to run forever) with exponential backoff, remembers recent crashes to tell a crash loop from a one-off
 * failure, and probes its health check while the process runs.
 */
import type { HealthCheck } from '../../../model/tool-config.js';
import type { LogFile } from '../logs/log-file.js';
import type { PidRegistry } from '../process/pid-registry.js';
import {
  describeExit,
  spawnGroup,
  stopGroup,
  type ExitInfo,
  type GroupProcess,
} from '../process/process-group.js';
import type { LocalTimings } from '../timings.js';
import { portsOfProcessGroup } from '../process/listening-ports.js';
import { probe, type ProbeResult } from './health-probe.js';

/** Consecutive failed probes after which a once-healthy process is restarted. */
const LIVENESS_FAILURES = 3;

export interface ReplicaOptions {
  /** Log prefix, e.g. `replica-0`. */
  readonly label: string;
  readonly command: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  /** The port this replica listens on (set as PORT). */
  readonly port?: number;
  readonly healthCheck?: HealthCheck;
  readonly timings: LocalTimings;
  readonly log: LogFile;
  readonly registry: PidRegistry;
}

export class Replica {
  private proc?: GroupProcess;
  private startedAt = 0;
  private backoffMs: number;
  private crashes: number[] = [];
  private restartTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  private stopped = true;
  private healthy = false;
  private wasHealthy = false;
  private failedProbes = 0;
  private upSinceLaunch = false;
  /** When the process was first seen listening elsewhere while nothing answered on its port (ms), if it is. */
  private elsewhereSince?: number;
  private lastPortScan = 0;
  lastExit?: ExitInfo;
  restarts = 0;
  /** Why the last probe failed (cleared by a passing one): what a user waiting for health reads. */
  probeFailure?: string;
  /** The ports the process listens on instead of its own, once that lasted `wrongPortGraceMs`. */
  listensElsewhere?: readonly number[];

  /** The process environment: the job's, plus this replica's PORT (health scripts see the same). */
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly options: ReplicaOptions) {
    this.backoffMs = options.timings.backoffInitialMs;
    this.env = options.port === undefined ? options.env : { ...options.env, PORT: String(options.port) };
  }

  get pid(): number | undefined {
    return this.proc !== undefined && !this.proc.hasExited() ? this.proc.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** Ready to serve: healthy when there is a health check, else simply running. */
  get ready(): boolean {
    return this.options.healthCheck ? this.running && this.healthy : this.running;
  }

  /** It was healthy once, and is not any more (as opposed to still starting). */
  get degraded(): boolean {
    return this.wasHealthy && !this.ready;
  }

  get crashLooping(): boolean {
    const now = Date.now();
    const { crashLoopThreshold, crashLoopWindowMs, backoffResetMs } = this.options.timings;
    if (this.running && now - this.startedAt >= backoffResetMs) return false;
    return this.crashes.filter((t) => now - t <= crashLoopWindowMs).length >= crashLoopThreshold;
  }

  start(): void {
    this.stopped = false;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.probeTimer);
    if (this.proc) await stopGroup(this.proc, this.options.timings.stopGraceMs);
  }

  private launch(): void {
    if (this.stopped) return;
    const { options } = this;
    options.log.write(options.label, `starting: ${options.command}`);
    const proc = spawnGroup(options.command, {
      cwd: options.cwd,
      env: this.env,
      onLine: (line) => options.log.write(options.label, line),
      registry: options.registry,
    });
    this.proc = proc;
    this.startedAt = Date.now();
    this.healthy = false;
    this.upSinceLaunch = false;
    this.failedProbes = 0;
    this.probeFailure = undefined;
    this.elsewhereSince = undefined;
    this.listensElsewhere = undefined;
    this.scheduleProbe();
    void proc.exited.then((exit) => this.onExit(proc, exit));
  }

  private onExit(proc: GroupProcess, exit: ExitInfo): void {
    if (proc !== this.proc) return;
    clearTimeout(this.probeTimer);
    this.healthy = false;
    this.lastExit = exit;
    if (this.stopped) return;
    const now = Date.now();
    const { timings } = this.options;
    if (now - this.startedAt >= timings.backoffResetMs) {
      this.backoffMs = timings.backoffInitialMs;
      this.crashes = [];
    }
    this.crashes = [...this.crashes.filter((t) => now - t <= timings.crashLoopWindowMs), now];
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, timings.backoffMaxMs);
    this.options.log.write(
      this.options.label,
      `process ended (${describeExit(exit)}); restarting in ${delay} ms`,
    );
    this.restarts += 1;
    this.restartTimer = setTimeout(() => this.launch(), delay);
  }

  /**
   * Probe fast until the first success so readiness is seen quickly (a `wait-for` chain waits for it at every
   * hop), then at the configured period. An HTTP probe of a port nothing listens on yet costs a refused
   * connection, so it may come every 100 ms; a health script starts a process each time, so not as often.
   */
  private probeDelay(): number {
    const interval = this.options.timings.healthIntervalMs;
    if (this.healthy) return interval;
    return Math.min(interval, this.options.healthCheck?.type === 'script' ? 200 : 100);
  }

  private scheduleProbe(): void {
    const check = this.options.healthCheck;
    if (!check || this.stopped) return;
    this.probeTimer = setTimeout(async () => {
      const proc = this.proc;
      if (!proc || proc.hasExited() || this.stopped) return;
      const result = await probe(check, {
        host: this.options.host,
        port: this.options.port,
        cwd: this.options.cwd,
        env: this.env,
        timeoutMs: this.options.timings.healthTimeoutMs,
      });
      if (proc !== this.proc || proc.hasExited()) return;
      const ok = result.ok;
      if (ok !== this.healthy || (!result.ok && result.reason !== this.probeFailure)) {
        this.options.log.write(
          this.options.label,
          result.ok ? 'health check passed' : `health check failing: ${result.reason}`,
        );
      }
      this.probeFailure = result.ok ? undefined : result.reason;
      await this.checkListeningPorts(proc, result);
      if (proc !== this.proc || proc.hasExited()) return;
      this.healthy = ok;
      this.failedProbes = ok ? 0 : this.failedProbes + 1;
      if (ok) {
        this.wasHealthy = true;
        this.upSinceLaunch = true;
      }
      // Like a Kubernetes liveness probe: a process that was healthy and stopped answering is restarted (one
      // that is still starting is not: its restarts would never let it finish starting).
      if (this.upSinceLaunch && this.failedProbes >= LIVENESS_FAILURES) {
        this.options.log.write(
          this.options.label,
          `health check failed ${this.failedProbes} times: restarting`,
        );
        this.failedProbes = 0;
        void stopGroup(proc, this.options.timings.stopGraceMs);
        return;
      }
      this.scheduleProbe();
    }, this.probeDelay());
  }

  /**
   * Nothing answers on the replica's port: does its process group listen on another one (a server that ignored
   * $PORT)? Looked up at most once a second; a process still starting may bind an extra port first, so only a
   * situation lasting `wrongPortGraceMs` counts.
   */
  private async checkListeningPorts(proc: GroupProcess, result: ProbeResult): Promise<void> {
    const refused = !result.ok && result.refused === true;
    if (!refused || this.options.port === undefined) {
      this.elsewhereSince = undefined;
      this.listensElsewhere = undefined;
      return;
    }
    const now = Date.now();
    if (now - this.lastPortScan < 1_000) return;
    this.lastPortScan = now;
    const ports = await portsOfProcessGroup(proc.pid);
    if (ports.length === 0 || ports.includes(this.options.port)) {
      this.elsewhereSince = undefined;
      this.listensElsewhere = undefined;
      return;
    }
    this.elsewhereSince ??= now;
    if (now - this.elsewhereSince < this.options.timings.wrongPortGraceMs) return;
    if (this.listensElsewhere === undefined) {
      this.options.log.write(
        this.options.label,
        `listens on port ${ports.join(', ')}, not on its port ${this.options.port} ($PORT)`,
      );
    }
    this.listensElsewhere = ports;
  }
}
