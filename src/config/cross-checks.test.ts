import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic, loadConfig, loadConfigObject } from './load.js';

/** A seed-dialect YAML config from `name: [waits…] / reuse` lines, one component per entry. */
function seedYaml(components: Record<string, { wait?: string[]; reuse?: string }>): string {
  const out = ['config-version: 0.1', 'components:'];
  for (const [name, { wait, reuse }] of Object.entries(components)) {
    out.push(
      `  ${name}:`,
      '    build:',
      reuse ? `      reuse-from: ${reuse}` : `      repository: ./${name}`,
    );
    if (wait) out.push('    wait-for:', ...wait.map((w) => `      - ${w}`));
  }
  return out.join('\n') + '\n';
}

function errors(text: string): string[] {
  return loadConfig(text).diagnostics.map((d) => formatDiagnostic(d, 't.yaml'));
}

describe('reuse-from references', () => {
  it('a missing component: upstream message, with a suggestion', () => {
    assert.deepEqual(errors(seedYaml({ api: {}, flower: { reuse: 'apy' } })), [
      't.yaml:8:19: components.flower.build.reuse-from: Missing components referenced from reuse-from: apy (did you mean "api"?)',
    ]);
    const v1 = loadConfigObject({
      components: { flower: { build: { reuse_from: 'nothing-like-it' }, run: { command: 'x' } } },
    });
    assert.deepEqual(
      v1.diagnostics.map((d) => d.message),
      ['Missing components referenced from reuse_from: nothing-like-it'],
    );
  });

  it('chained reuse names the middle component (upstream text) and where it points', () => {
    const diagnostics = loadConfig(seedYaml({ a: {}, b: { reuse: 'a' }, c: { reuse: 'b' } })).diagnostics;
    assert.deepEqual(
      diagnostics.map((d) => [d.path, d.message, d.hint, d.line]),
      [
        [
          'components.c.build.reuse-from',
          'The following components reuse builds from components that also use reuse-from. They should point to the original components instead: b',
          '"b" itself reuses "a"',
          11,
        ],
      ],
    );
  });

  it('a component reusing its own build', () => {
    assert.deepEqual(errors(seedYaml({ a: { reuse: 'a' } })), [
      't.yaml:5:19: components.a.build.reuse-from: a component cannot reuse its own build (reuse-from: a)',
    ]);
  });
});

describe('wait-for references', () => {
  it('unknown component with did-you-mean, and without when nothing is close', () => {
    assert.deepEqual(errors(seedYaml({ 'toolhunt-api': {}, cleanup: { wait: ['toolhunt-apii', 'zzz'] } })), [
      't.yaml:10:9: components.cleanup.wait-for[0]: unknown component "toolhunt-apii" (did you mean "toolhunt-api"?)',
      't.yaml:11:9: components.cleanup.wait-for[1]: unknown component "zzz"',
    ]);
  });

  it('waiting for itself is an error; a duplicate entry is a warning and is dropped', () => {
    assert.deepEqual(errors(seedYaml({ a: { wait: ['a'] } })), [
      't.yaml:7:9: components.a.wait-for[0]: a component cannot wait for itself',
    ]);
    const result = loadConfig(seedYaml({ a: {}, b: { wait: ['a', 'a'] } }));
    assert.deepEqual(result.config?.components[1]?.waitFor, ['a']);
    assert.deepEqual(
      result.diagnostics.map((d) => formatDiagnostic(d, 't.yaml')),
      [
        'warning: t.yaml:11:9: components.b.wait-for[1]: duplicate entry "a" in wait-for, ignored (first listed at line 10)',
      ],
    );
  });
});

describe('dependency cycles', () => {
  it('a 3-cycle, starting from the first component in config order, with each edge line', () => {
    const text = seedYaml({ x: {}, b: { wait: ['c'] }, a: { wait: ['b'] }, c: { wait: ['a'] } });
    assert.deepEqual(errors(text), [
      't.yaml:10:9: components.b.wait-for[0]: dependency cycle: b -> c -> a -> b (b wait-for c at line 10, c wait-for a at line 20, a wait-for b at line 15)',
    ]);
  });

  it('the same cycle is reported the same way whatever the order of wait-for entries', () => {
    const one = errors(seedYaml({ a: { wait: ['b'] }, b: { wait: ['x', 'a'] }, x: {} }));
    const two = errors(seedYaml({ a: { wait: ['b'] }, b: { wait: ['a', 'x'] }, x: {} }));
    assert.match(one[0] ?? '', /dependency cycle: a -> b -> a \(/);
    assert.match(two[0] ?? '', /dependency cycle: a -> b -> a \(/);
  });

  it('reusing the image of a component that waits for you is not a cycle (the migration pattern)', () => {
    // migrate runs api's image (waits for api's build), api waits for migrate's deploy: build api →
    // deploy migrate → deploy api.
    const result = loadConfig(seedYaml({ api: { wait: ['migrate'] }, migrate: { reuse: 'api' } }));
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.config?.components.map((c) => [c.name, c.waitFor]),
      [
        ['api', ['migrate']],
        ['migrate', []],
      ],
    );
  });

  it('a wait-for cycle is still one when one of its components reuses the other', () => {
    assert.deepEqual(
      errors(seedYaml({ api: { wait: ['flower'] }, flower: { reuse: 'api', wait: ['api'] } })),
      [
        't.yaml:7:9: components.api.wait-for[0]: dependency cycle: api -> flower -> api (api wait-for flower at line 7, flower wait-for api at line 12)',
      ],
    );
  });

  it('one diagnostic per strongly connected component; acyclic diamonds are fine', () => {
    const text = seedYaml({
      a: { wait: ['b'] },
      b: { wait: ['a'] },
      c: { wait: ['d'] },
      d: { wait: ['c'] },
      e: { wait: ['f', 'g'] },
      f: { wait: ['h'] },
      g: { wait: ['h'] },
      h: {},
    });
    const lines = errors(text);
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /dependency cycle: a -> b -> a/);
    assert.match(lines[1] ?? '', /dependency cycle: c -> d -> c/);
  });

  it('in the v1beta1 dialect and without positions, edges are named without lines', () => {
    const build = { repository: 'https://x.org/r', ref: 'main' };
    const result = loadConfigObject({
      components: {
        a: { build, run: { command: 'x' }, wait_for: ['b'] },
        b: { build, run: { command: 'x' }, wait_for: ['a'] },
      },
    });
    assert.deepEqual(result.diagnostics, [
      {
        severity: 'error',
        code: 'CMP_ERR_CONFIG_DEPENDENCY_CYCLE',
        path: 'components.a.wait_for[0]',
        message: 'dependency cycle: a -> b -> a (a wait_for b, b wait_for a)',
      },
    ]);
  });

  it('a long chain (no cycle) and a long cycle are handled without recursion limits', () => {
    const components: Record<string, unknown> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      components[`c${i}`] = { build: { repository: './r' }, ...(i > 0 ? { 'wait-for': [`c${i - 1}`] } : {}) };
    }
    assert.equal(loadConfigObject({ 'config-version': 0.1, components }).config?.components.length, n);
    components.c0 = { build: { repository: './r' }, 'wait-for': [`c${n - 1}`] };
    const cyclic = loadConfigObject({ 'config-version': 0.1, components });
    assert.equal(cyclic.diagnostics.length, 1);
    assert.match(cyclic.diagnostics[0]?.message ?? '', /^dependency cycle: c0 -> c19999 -> c19998 -> /);
  });
});

describe('component order', () => {
  it('keeps the order of the source, not alphabetical', () => {
    const result = loadConfig(seedYaml({ zeta: {}, alpha: { wait: ['zeta'] }, mid: {} }));
    assert.deepEqual(
      result.config?.components.map((c) => c.name),
      ['zeta', 'alpha', 'mid'],
    );
  });
});
