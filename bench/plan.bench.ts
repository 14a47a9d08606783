/**
 * Planning a generated tool of 1 000, 10 000 and 100 000 components: a random DAG (~3 wait-for each, to
 * earlier components so it is acyclic), 2/3 source builds over a pool of repositories (so some builds are
 * shared) and 1/3 reuse-from; half the components already deployed, a few of those with changed fields.
 * Prints the median planning time and the per-component cost (goal: < 250 ms for 10 000, near-linear), then
 * the time to load the same config from YAML text.
 */
import { performance } from 'node:perf_hooks';
import { availableParallelism, loadavg } from 'node:os';
import type { Component, ToolConfig } from '../src/model/tool-config.js';
import { loadConfig } from '../src/config/load.js';
import { planDeployment } from '../src/plan/plan-builder.js';
import { jobSpecFor, toolImage } from '../src/plan/job-spec.js';
import { refKey, type BuildRecord, type JobRecord, type ObservedState } from '../src/model/observed-state.js';
import { mulberry32 } from '../src/support/seeded-random.js';

function generate(n: number, seed = 42): { config: ToolConfig; observed: ObservedState } {
  const random = mulberry32(seed);
  const pick = (k: number) => Math.floor(random() * k);
  const components: Component[] = [];
  const sources: string[] = [];
  const repos = Math.max(1, Math.floor(n / 2));
  for (let i = 0; i < n; i++) {
    const name = `c${i}`;
    const waitFor = new Set<string>();
    for (let w = 0; w < 3 && i > 0; w++) waitFor.add(`c${pick(i)}`);
    const reuse = sources.length > 0 && random() < 1 / 3;
    const build = reuse
      ? { kind: 'reuse' as const, reuseFrom: sources[pick(sources.length)] as string }
      : {
          kind: 'source' as const,
          repository: `https://gitlab.example.org/r${pick(repos)}.git`,
          useLatestVersions: false,
          useDeprecatedVersions: false,
        };
    if (!reuse) sources.push(name);
    components.push(
      random() < 0.2
        ? {
            name,
            type: 'scheduled',
            build,
            waitFor: [...waitFor],
            run: { command: `job-${i}`, schedule: '@daily' },
          }
        : {
            name,
            type: 'continuous',
            build,
            waitFor: [...waitFor],
            run: { command: `serve-${i}`, port: 8000, replicas: 1 + pick(2) },
          },
    );
  }
  const config: ToolConfig = { dialect: 'seed', components };
  const builds: BuildRecord[] = [];
  const jobs: JobRecord[] = [];
  const resolvedRefs: Record<string, { ok: true; commit: string }> = {};
  for (let r = 0; r < repos; r++)
    resolvedRefs[refKey(`https://gitlab.example.org/r${r}.git`, undefined)] = {
      ok: true,
      commit: `${r}`.padStart(40, 'a'),
    };
  for (const c of components) {
    if (random() < 0.5) continue; // not deployed yet
    const imageName = c.build.kind === 'source' ? c.name : c.build.reuseFrom;
    if (c.build.kind === 'source') {
      const commit = resolvedRefs[refKey(c.build.repository, undefined)]?.commit as string;
      builds.push({
        id: `b-${c.name}`,
        imageName,
        image: toolImage('bench', imageName),
        repository: c.build.repository,
        resolvedCommit: commit,
        useLatestVersions: false,
        useDeprecatedVersions: false,
        state: 'successful',
        startedAt: '2026-01-01T00:00:00.000Z',
      });
    }
    const spec = jobSpecFor(c, toolImage('bench', imageName));
    jobs.push({
      ...spec,
      command: random() < 0.05 ? 'changed' : spec.command,
      state: 'running',
      health: 'healthy',
    });
  }
  return {
    config,
    observed: {
      tool: 'bench',
      observedAt: '2026-01-02T00:00:00.000Z',
      builds,
      jobs,
      previouslyManaged: components.map((c) => c.name),
      resolvedRefs,
    },
  };
}

function toYaml(config: ToolConfig): string {
  const lines = ['config-version: 0.1', 'components:'];
  for (const c of config.components) {
    lines.push(`  ${c.name}:`, `    type: ${c.type}`, '    build:');
    lines.push(
      c.build.kind === 'source'
        ? `      repository: ${c.build.repository}`
        : `      reuse-from: ${c.build.reuseFrom}`,
    );
    if (c.waitFor.length > 0) lines.push('    wait-for:', ...c.waitFor.map((w) => `      - ${w}`));
    lines.push('    run:', `      command: ${c.run.command ?? 'web'}`);
    if (c.type === 'scheduled') lines.push(`      schedule: "${c.run.schedule}"`);
    else if (c.type === 'continuous')
      lines.push(`      port: ${c.run.port}`, `      replicas: ${c.run.replicas}`);
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median wall-clock and CPU milliseconds (CPU time is steadier on a shared, busy machine). */
function time(fn: () => void, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    fn();
    wall.push(performance.now() - start);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function report(n: number, t: { wall: number; cpu: number }, extra: string): string {
  const perComponent = ((t.wall * 1000) / n).toFixed(1);
  return `  ${String(n).padStart(7)} components: ${t.wall.toFixed(1).padStart(8)} ms wall, ${t.cpu.toFixed(1).padStart(8)} ms cpu  (${perComponent} µs/component${extra})`;
}

const NO_OPTIONS = { forceBuild: false, forceRun: false, prune: false } as const;

/** A machine yardstick printed with the figures: 100 000 Map sets and gets (a few ms on an idle laptop). */
function baseline(): { wall: number; cpu: number } {
  const names = Array.from({ length: 100_000 }, (_, i) => `c${i}`);
  return time(() => {
    const map = new Map<string, { name: string }>();
    for (const name of names) map.set(name, { name });
    for (const name of names) map.get(name);
  }, 5);
}

export async function run(): Promise<void> {
  const yardstick = baseline();
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )} on ${availableParallelism()} cores; yardstick (100 000 Map set+get): ${yardstick.wall.toFixed(1)} ms wall, ${yardstick.cpu.toFixed(1)} ms cpu`,
  );
  const sizes = [1_000, 10_000, 100_000];
  console.log('planDeployment (pure), median of runs:');
  for (const n of sizes) {
    const { config, observed } = generate(n);
    let tasks = 0;
    if (n < 100_000) time(() => void planDeployment(config, observed, NO_OPTIONS), 1); // warm-up
    const t = time(
      () => {
        tasks = planDeployment(config, observed, NO_OPTIONS).tasks.length;
      },
      n >= 100_000 ? 3 : 5,
    );
    console.log(report(n, t, `, ${tasks} tasks`));
  }
  // The YAML loader costs far more per component than the planner; 100 000 would blow the bench's time budget.
  console.log('loadConfig (YAML text → ToolConfig), median of runs (100 000 skipped: over the time budget):');
  for (const n of sizes.filter((size) => size <= 10_000)) {
    const text = toYaml(generate(n).config);
    let ok = false;
    const t = time(() => {
      ok = loadConfig(text).config !== undefined;
    }, 3);
    console.log(report(n, t, ok ? '' : ', INVALID CONFIG'));
  }
}
