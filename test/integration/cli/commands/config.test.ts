import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TOOLHUNT = join(ROOT, 'examples/toolhunt/toolforge.yaml');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Concurrent: each test spawns the CLI (a tsx start-up dominates), independently of the others.
describe('toolforge-components config validate / schema', { concurrency: true }, () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validate: a good config prints OK and exits 0', async () => {
    const run = await cli('config', 'validate', TOOLHUNT);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'OK: 3 components\n');
    assert.equal(run.stderr, '');
  });

  it('validate: every problem on its own line with file:line:col, exit 1, no stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'config-version: 0.1',
        'components:',
        '  toolhunt-api:',
        '    build: {repository: ./api}',
        '    extra: 1',
        '  toolhunt-cleanup:',
        '    type: scheduled',
        '    build: {repository: ./c}',
        '    run: {command: c, schedule: "* * *"}',
        '    wait-for: [toolhunt-apii]',
        '',
      ].join('\n'),
    );
    const run = await cli('config', 'validate', file);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.deepEqual(run.stderr.trimEnd().split('\n'), [
      `warning: ${file}:5:5: Unknown field components.toolhunt-api.extra, skipped`,
      `${file}:9:33: components.toolhunt-cleanup.run.schedule: invalid cron schedule "* * *": expected 5 fields (minute hour day-of-month month day-of-week), found 3`,
      `${file}:10:16: components.toolhunt-cleanup.wait-for[0]: unknown component "toolhunt-apii" (did you mean "toolhunt-api"?)`,
    ]);
  });

  it('validate: a recursive alias or a 5 000-deep document is one readable line, exit 1', async () => {
    const cases: Array<[string, string, string]> = [
      [
        'alias.yaml',
        'a: &a [*a]',
        ':1:8: a[0]: a YAML alias refers to a node that contains it (a recursive alias), so the config cannot be read',
      ],
      [
        'deep.json',
        `{"components": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
        ':1:515: the config is nested too deeply to be read (more than 500 levels)',
      ],
      ['deep.yaml', `${'- '.repeat(5000)}x\n`, ': the config is nested too deeply to be read'],
    ];
    for (const [name, text, expected] of cases) {
      const file = join(dir, name);
      await writeFile(file, text);
      const run = await cli('config', 'validate', file);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.ok(lines[0]?.startsWith(file) && lines[0].endsWith(expected), run.stderr);
    }
  });

  it('validate: a migration reusing the image of a component that waits for it is valid', async () => {
    const file = join(dir, 'migrate.yaml');
    await writeFile(
      file,
      [
        'config-version: 0.1',
        'components:',
        '  api:',
        '    build: {repository: ./api}',
        '    wait-for: [migrate]',
        '  migrate:',
        '    build: {reuse-from: api}',
        '    run: {command: migrate}',
        '',
      ].join('\n'),
    );
    const run = await cli('config', 'validate', file);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'OK: 2 components\n');
  });

  it('validate: an unreadable file is a usage error (exit 2)', async () => {
    const run = await cli('config', 'validate', join(dir, 'missing.yaml'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /config file .*missing\.yaml does not exist/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('schema: prints the JSON Schema of the chosen dialect; an unknown dialect exits 2', async () => {
    const seed = await cli('config', 'schema');
    assert.equal(seed.code, 0, seed.stderr);
    const schema = JSON.parse(seed.stdout) as { properties: Record<string, unknown> };
    assert.ok('config-version' in schema.properties);
    const v2 = await cli('config', 'schema', '--dialect', 'v1beta2');
    assert.equal(v2.code, 0, v2.stderr);
    const upstream = JSON.parse(v2.stdout) as {
      title: string;
      properties: Record<string, { enum?: unknown[] }>;
    };
    assert.equal(upstream.title, 'Toolforge tool config (v1beta2)');
    assert.deepEqual(upstream.properties.config_version?.enum, ['v1beta1', 'v1beta2', null]);
    assert.ok('defaults' in upstream.properties);
    const bad = await cli('config', 'schema', '--dialect', 'toml');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown dialect "toml": use seed, v1beta1, v1beta2/);
  });
});
