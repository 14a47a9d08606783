/** `toolforge-components serve` as a real process: default SQLite file in the data dir, healthz, SIGTERM exits 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { CLI_MAIN, spawnServer } from '../../support/server-process.js';

test('serve listens, answers healthz, stores in <home>/components.db and stops on SIGTERM', async () => {
  const home = mkdtempSync(join(tmpdir(), 'tfc-serve-'));
  const server = await spawnServer(
    [CLI_MAIN, 'serve', '--port', '0'],
    { TOOLFORGE_COMPONENTS_HOME: home },
    /serving on (\S+)/,
  );
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${server.url}/v1/healthz`);
    assert.equal(health.statusCode, 200);
    assert.deepEqual(((await health.body.json()) as { data: unknown }).data, { status: 'OK' });
    assert.ok(existsSync(join(home, 'components.db')));
    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number | null];
    assert.equal(code, 0);
  } finally {
    await server.kill();
    rmSync(home, { recursive: true, force: true });
  }
});
