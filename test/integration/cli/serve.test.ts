/** `toolforge-components serve` as a real process: default SQLite file in the data dir, healthz, SIGTERM exits 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

test('serve listens, answers healthz, stores in <home>/components.db and stops on SIGTERM', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tfc-serve-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    env: { ...process.env, TOOLFORGE_COMPONENTS_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
      child.stderr!.on('data', (chunk: string) => {
        stderr += chunk;
        const match = /serving on (\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${url}/v1/healthz`);
    assert.equal(health.statusCode, 200);
    assert.deepEqual(((await health.body.json()) as { data: unknown }).data, { status: 'OK' });
    assert.ok(existsSync(join(home, 'components.db')));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
});
