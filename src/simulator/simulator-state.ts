/**
 * Everything the simulator knows: builds and jobs per tool, plus counters for benchmarks. Exposed as
 * `simulator.state` so tests can inspect it (e.g. "no build was started twice").
 */
import type { SimBuild } from './build-model.js';
import type { SimJob, SimJobRuntime } from './job-model.js';

export interface SimulatorStats {
  /** Requests per route, keyed `METHOD /route/pattern`. */
  readonly routes: Readonly<Record<string, number>>;
  /** Requests to builds-api routes (including injected failures). */
  readonly builds: number;
  /** Requests to jobs-api routes (including injected failures). */
  readonly jobs: number;
  /** Builds actually started (successful POST /builds). */
  readonly buildsStarted: number;
  readonly injectedErrors: number;
  readonly slowResponses: number;
}

export class SimulatorState {
  /** tool → builds in start order. */
  readonly builds = new Map<string, SimBuild[]>();
  /** tool → name → job. */
  readonly jobs = new Map<string, Map<string, SimJob & SimJobRuntime>>();
  private readonly routeCounts = new Map<string, number>();
  private counters = { builds: 0, jobs: 0, buildsStarted: 0, injectedErrors: 0, slowResponses: 0 };

  toolBuilds(tool: string): SimBuild[] {
    let list = this.builds.get(tool);
    if (!list) this.builds.set(tool, (list = []));
    return list;
  }

  toolJobs(tool: string): Map<string, SimJob & SimJobRuntime> {
    let map = this.jobs.get(tool);
    if (!map) this.jobs.set(tool, (map = new Map()));
    return map;
  }

  findBuild(tool: string, id: string): SimBuild | undefined {
    return this.builds.get(tool)?.find((b) => b.id === id);
  }

  countRequest(route: string): void {
    this.routeCounts.set(route, (this.routeCounts.get(route) ?? 0) + 1);
    if (route.includes(' /builds/')) this.counters.builds++;
    else if (route.includes(' /jobs/')) this.counters.jobs++;
  }

  count(counter: 'buildsStarted' | 'injectedErrors' | 'slowResponses'): void {
    this.counters[counter]++;
  }

  stats(): SimulatorStats {
    return { routes: Object.fromEntries(this.routeCounts), ...this.counters };
  }

  resetStats(): void {
    this.routeCounts.clear();
    this.counters = { builds: 0, jobs: 0, buildsStarted: 0, injectedErrors: 0, slowResponses: 0 };
  }
}
