/**
 * Config loader throughput: generated seed configs (every third component scheduled, ~3 wait-for edges each,
 * some reuse) loaded from block YAML and JSON text (js-yaml, the common path), from the same text through the
 * `yaml` library (what a config with diagnostics to place, or one js-yaml leaves to it, costs), and from an
 * already-parsed object (the API's path).
 */
import { stringify } from 'yaml';
import { DiagnosticSink } from '../src/config/diagnostic-sink.js';
import { LineIndex } from '../src/config/line-index.js';
import { loadConfig, loadConfigObject } from '../src/config/load.js';
import { readYaml } from '../src/config/read-yaml.js';
import { validateConfig } from '../src/config/validate-config.js';

function generate(n: number): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const waits = [1, 7, 31].filter((d) => i - d >= 0).map((d) => `c${i - d}`);
    const scheduled = i % 3 === 2;
    components[`c${i}`] = {
      description: `component ${i}`,
      type: scheduled ? 'scheduled' : 'continuous',
      build:
        i % 5 === 4
          ? { 'reuse-from': `c${i - 1 - ((i - 1) % 5 === 4 ? 1 : 0)}` }
          : { repository: `https://x.org/r${i}` },
      run: scheduled
        ? { command: `job ${i}`, schedule: '*/15 * * * *', retry: 1 }
        : { command: `serve ${i}`, port: 8000, 'health-check-http': '/healthz' },
      ...(waits.length > 0 ? { 'wait-for': waits } : {}),
    };
  }
  return { 'config-version': 0.1, components };
}

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
}

function report(label: string, n: number, ms: number, ok: boolean): void {
  const perComponent = ((ms * 1000) / n).toFixed(1);
  console.log(
    `  ${label.padEnd(28)} ${String(n).padStart(7)}: ${ms.toFixed(1).padStart(9)} ms (${perComponent} µs/component)${ok ? '' : ' INVALID'}`,
  );
}

export async function run(): Promise<void> {
  console.log('config loader, median of runs (µs per component should stay flat: linear):');
  for (const n of [1_000, 10_000, 100_000]) {
    const value = generate(n);
    const text = stringify(value);
    const runs = n >= 100_000 ? 3 : 5;
    let ok = false;
    report(
      'loadConfig (block YAML)',
      n,
      median(() => (ok = loadConfig(text).config !== undefined), runs),
      ok,
    );
    const json = JSON.stringify(value);
    report(
      'loadConfig (JSON text)',
      n,
      median(() => (ok = loadConfig(json).config !== undefined), runs),
      ok,
    );
    report(
      'loadConfigObject',
      n,
      median(() => (ok = loadConfigObject(value).config !== undefined), runs),
      ok,
    );
    if (n <= 10_000) {
      const viaLibrary = () => {
        const sink = new DiagnosticSink(new LineIndex(text));
        const root = readYaml(text, sink);
        ok = root !== undefined && validateConfig(root, sink) !== undefined;
      };
      report('via the yaml library', n, median(viaLibrary, 3), ok);
    }
  }
}
