import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../../src/cli/main.ts', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../../examples/toolhunt/toolforge.yaml', import.meta.url));

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      // A home of its own: no local instance, toolforge config or kubeconfig of this machine makes it plan live.
      env: {
        ...process.env,
        NO_COLOR: '1',
        TOOLFORGE_DEBUG: '',
        HOME: dir,
        TOOLFORGE_COMPONENTS_HOME: join(dir, 'home'),
        TOOLFORGE_COMPONENTS_API_URL: '',
        TOOL_TOOLFORGE_API_URL: '',
        KUBECONFIG: '',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('plan of the example from an empty tool: exit 0, or 2 with --detailed-exitcode', async () => {
  const plain = await cli('plan', EXAMPLE);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(
    plain.stdout,
    /^ {2}\[5\] deploy toolhunt-flower {2}\(after build toolhunt-api, waits for toolhunt-api healthy\)$/m,
  );
  assert.match(plain.stdout, /Plan: 2 to build, 3 to create, 0 to update, 0 to restart, 0 to delete\.\n$/);
  const detailed = await cli('plan', EXAMPLE, '--detailed-exitcode', '--json');
  assert.equal(detailed.code, 2, detailed.stderr);
  const json = JSON.parse(detailed.stdout) as { format_version: string; tool: string; has_changes: boolean };
  assert.match(json.format_version, /^1\.\d+$/);
  assert.equal(json.tool, 'toolhunt');
  assert.equal(json.has_changes, true);
});

test('a status snapshot with nothing to change: exit 0 even with --detailed-exitcode', async () => {
  const config = join(dir, 'tool.yaml');
  await writeFile(
    config,
    'config-version: 0.1\ncomponents:\n  web:\n    type: continuous\n    build:\n      repository: https://example.org/web.git\n    run:\n      command: web\n      memory: 256Mi\n',
  );
  const status = join(dir, 'status.json');
  await writeFile(
    status,
    JSON.stringify({
      builds: {
        builds: [
          {
            build_id: 'b-1',
            status: 'BUILD_SUCCESS',
            start_time: '2026-01-01T00:00:00Z',
            resolved_ref: 'c0ffee',
            destination_image: 'tools-harbor.wmcloud.org/tool-t1/web:latest',
            parameters: { source_url: 'https://example.org/web.git', image_name: 'web' },
          },
        ],
      },
      jobs: {
        jobs: [
          {
            name: 'web',
            cmd: 'web',
            imagename: 'tool-t1/web:latest',
            memory: '0.25Gi',
            job_type: 'continuous',
          },
        ],
      },
      resolved_refs: { 'https://example.org/web.git#HEAD': 'c0ffee' },
      previously_managed: ['web'],
    }),
  );
  const result = await cli('plan', config, '--status', status, '--tool', 't1', '--detailed-exitcode');
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /No changes\. The tool matches the configuration\.\n$/);
});

test('--json carries the config warnings (with file:line:col) before the plan warnings; planFromJson reads them', async () => {
  const config = join(dir, 'warned.yaml');
  await writeFile(
    config,
    'config-version: 0.1\ncomponents:\n  web:\n    build:\n      repository: ./web\n    replicaz: 2\n',
  );
  const result = await cli('plan', config, '--json', '--tool', 't1');
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { warnings: string[] };
  assert.deepEqual(json.warnings, [`${config}:6:5: Unknown field components.web.replicaz, skipped`]);
  const { planFromJson } = await import('../../../../src/plan/read-plan-json.js');
  assert.deepEqual(planFromJson(json).warnings, json.warnings);
  // Text output is unchanged: the warning is on stderr.
  const text = await cli('plan', config, '--tool', 't1');
  assert.equal(
    text.stderr,
    `warning: ${config}:6:5: Unknown field components.web.replicaz, skipped\n` +
      'Planned offline, against an empty tool: no components API is running (--status SNAPSHOT plans against a snapshot).\n',
  );
  assert.doesNotMatch(text.stdout, /replicaz/);
});

test('errors exit 1 with one readable line and no stack trace', async () => {
  const missing = await cli('plan', join(dir, 'nope.yaml'), '--detailed-exitcode');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Error: config file .*nope\.yaml does not exist\n$/);

  const bad = join(dir, 'bad.yaml');
  await writeFile(
    bad,
    'config-version: 0.1\ncomponents:\n  web:\n    type: continuous\n    build:\n      reuse-from: nothing\n',
  );
  const invalid = await cli('plan', bad, '--detailed-exitcode');
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad\.yaml:6:\d+: /);
  assert.doesNotMatch(invalid.stderr, /\n\s+at /);

  const only = await cli('plan', EXAMPLE, '--only', 'toolhunt-apii');
  assert.equal(only.code, 1);
  assert.equal(only.stderr, 'Error: --only: unknown component "toolhunt-apii"\n');

  const status = join(dir, 'broken.json');
  await writeFile(status, '{"builds": 1}');
  const snapshot = await cli('plan', EXAMPLE, '--status', status);
  assert.equal(snapshot.code, 1);
  assert.match(snapshot.stderr, /broken\.json: "builds" must be an array/);
});
