/**
 * The documented key-rotation procedure with real `serve` processes (docs/deploy-tokens.md): a token created
 * under one key is still shown after restarting with a new key plus `--previous-token-key-file`, and then with
 * the new key alone given as a secret in the environment. A bad key stops `serve` with a readable error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { CLI_MAIN, spawnServer, type ServerProcess } from '../../support/server-process.js';

let home: string;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'tfc-serve-key-'));
});
after(() => {
  rmSync(home, { recursive: true, force: true });
});

function serve(args: readonly string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer(
    [CLI_MAIN, 'serve', '--port', '0', ...args],
    { TOOLFORGE_COMPONENTS_HOME: home, ...env },
    /serving on (\S+)/,
  );
}

async function tokenCall(url: string, method: 'GET' | 'POST'): Promise<{ token?: string }> {
  const response = await request(`${url}/v1/tool/rot/deployment/token`, {
    method,
    headers: { 'x-toolforge-tool': 'rot' },
  });
  assert.equal(response.statusCode, 200);
  return ((await response.body.json()) as { data: { token?: string } }).data;
}

test('rotation: old key, then new + previous (re-encrypts), then the new key alone from the environment', async () => {
  const [oldKey, newKey] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
  const oldFile = join(home, 'old.key');
  const newFile = join(home, 'new.key');
  writeFileSync(oldFile, `${oldKey}\n`, { mode: 0o600 });
  writeFileSync(newFile, `${newKey}\n`, { mode: 0o600 });

  const first = await serve(['--token-key-file', oldFile]);
  const { token } = await tokenCall(first.url, 'POST');
  assert.ok(token);
  await first.stop();

  const rotating = await serve(['--token-key-file', newFile, '--previous-token-key-file', oldFile]);
  assert.match(rotating.output(), /re-encrypted 1 deploy token\(s\) under the current token key/);
  assert.equal((await tokenCall(rotating.url, 'GET')).token, token);
  await rotating.stop();

  const rotated = await serve([], { TOOLFORGE_COMPONENTS_TOKEN_KEY: newKey });
  assert.equal((await tokenCall(rotated.url, 'GET')).token, token, 'the old key is no longer needed');
  await rotated.stop();
});

test('a key that is not 32 bytes: serve refuses to start (exit 2) and says what a key is', async () => {
  const error = (await serve([], { TOOLFORGE_COMPONENTS_TOKEN_KEY: 'too-short' }).catch(
    (e: unknown) => e,
  )) as {
    code: number;
    output: string;
  };
  assert.equal(error.code, 2);
  assert.match(error.output, /a token key is 32 random bytes written as base64 or hex/);
});
