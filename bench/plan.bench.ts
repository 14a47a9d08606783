/**
 * Planning a generated tool of 1 000, 10 000 and 100 000 components: a random DAG (~3 wait-for each, to
 * earlier components so it is acyclic), 2/3 source builds over a pool of repositories (so some builds are
 * shared) and 1/3 reuse-from; half the components already deployed, a few of those with changed fields.
 * Prints the median planning time and the per-component cost (goal: < 250 ms for 10 000, near-linear), then
 * the time to load the same config from YAML text.
 */
import { performance } from 'node:perf_hooks';
import type { Component, ToolConfig } from '../src/config/tool-config.js';
import { loadConfig } from '../src/config/load.js';
import { planDeployment } from '../src/plan/plan-builder.js';
import { jobSpecFor, toolImage } from '../src/plan/job-spec.js';
import { refKey, type BuildRecord, type JobRecord, type ObservedState } from '../src/status/observed-state.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
      : { kind: 'source' as const, repository: `https://gitlab.example.org/r${pick(repos)}.git`, useLatestVersions: false, useDeprecatedVersions: false };
    if (!reuse) sources.push(name);
    components.push(
      random() < 0.2
        ? { name, type: 'scheduled', build, waitFor: [...waitFor], run: { command: `job-${i}`, schedule: '@daily' } }
        : { name, type: 'continuous', build, waitFor: [...waitFor], run: { command: `serve-${i}`, port: 8000, replicas: 1 + pick(2) } },
    );
  }
  const config: ToolConfig = { dialect: 'seed', components };
  const builds: BuildRecord[] = [];
  const jobs: JobRecord[] = [];
  const resolvedRefs: Record<string, { ok: true; commit: string }> = {};
  for (let r = 0; r < repos; r++) resolvedRefs[refKey(`https://gitlab.example.org/r${r}.git`, undefined)] = { ok: true, commit: `${r}`.padStart(40, 'a') };
  for (const c of components) {
    if (random() < 0.5) continue; // not deployed yet
    const imageName = c.build.kind === 'source' ? c.name : c.build.reuseFrom;
    if (c.build.kind === 'source') {
      const commit = resolvedRefs[refKey(c.build.repository, undefined)]?.commit as string;
      builds.push({ id: `b-${c.name}`, imageName, image: toolImage('bench', imageName), repository: c.build.repository, resolvedCommit: commit, useLatestVersions: false, useDeprecatedVersions: false, state: 'successful', startedAt: '2026-01-01T00:00:00.000Z' });
    }
    const spec = jobSpecFor(c, toolImage('bench', imageName));
    jobs.push({ ...spec, command: random() < 0.05 ? 'changed' : spec.command, state: 'running', health: 'healthy' });
  }
  return { config, observed: { tool: 'bench', observedAt: '2026-01-02T00:00:00.000Z', builds, jobs, previouslyManaged: components.map((c) => c.name), resolvedRefs } };
}

function toYaml(config: ToolConfig): string {
  const lines = ['config-version: 0.1', 'components:'];
  for (const c of config.components) {
    lines.push(`  ${c.name}:`, `    type: ${c.type}`, '    build:');
    lines.push(c.build.kind === 'source' ? `      repository: ${c.build.repository}` : `      reuse-from: ${c.build.reuseFrom}`);
    if (c.waitFor.length > 0) lines.push('    wait-for:', ...c.waitFor.map((w) => `      - ${w}`));
    lines.push('    run:', `      command: ${c.run.command ?? 'web'}`);
    if (c.type === 'scheduled') lines.push(`      schedule: "${c.run.schedule}"`);
    else lines.push(`      port: ${c.run.port}`, `      replicas: ${c.run.replicas}`);
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export async function run(): Promise<void> {
  const sizes = [1_000, 10_000, 100_000];
  console.log('planDeployment (pure), median of runs:');
  for (const n of sizes) {
    const { config, observed } = generate(n);
    let tasks = 0;
    time(() => void planDeployment(config, observed, { forceBuild: false, forceRun: false, prune: false }), 1); // warm-up
    const ms = time(() => {
      tasks = planDeployment(config, observed, { forceBuild: false, forceRun: false, prune: false }).tasks.length;
    }, n >= 100_000 ? 3 : 5);
    console.log(`  ${String(n).padStart(7)} components: ${ms.toFixed(1).padStart(8)} ms  (${((ms * 1000) / n).toFixed(2)} µs/component, ${tasks} tasks)`);
  }
  console.log('loadConfig (YAML text → ToolConfig), median of runs:');
  for (const n of sizes) {
    const text = toYaml(generate(n).config);
    let ok = false;
    const ms = time(() => {
      ok = loadConfig(text).config !== undefined;
    }, n >= 100_000 ? 1 : 3);
    console.log(`  ${String(n).padStart(7)} components: ${ms.toFixed(1).padStart(8)} ms  (${((ms * 1000) / n).toFixed(2)} µs/component${ok ? '' : ', INVALID'})`);
  }
}
