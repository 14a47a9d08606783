/**
 * The documented key-rotation procedure with real `serve` processes (docs/deploy-tokens.md): a token created
 * under one key is still shown after restarting with a new key plus `--previous-token-key-file`, and then with
 * the new key alone given as a secret in the environment. A bad key stops `serve` with a readable error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
let home: string;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'tfc-serve-key-'));
});
after(() => {
  rmSync(home, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
}

async function serve(args: readonly string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, TOOLFORGE_COMPONENTS_HOME: home, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited with ${code}`), { code, stderr }));
    });
  });
  return { child, url, stderr: () => stderr };
}

async function stop(served: Served): Promise<void> {
  served.child.kill('SIGTERM');
  await once(served.child, 'exit');
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
  await stop(first);

  const rotating = await serve(['--token-key-file', newFile, '--previous-token-key-file', oldFile]);
  assert.match(rotating.stderr(), /re-encrypted 1 deploy token\(s\) under the current token key/);
  assert.equal((await tokenCall(rotating.url, 'GET')).token, token);
  await stop(rotating);

  const rotated = await serve([], { TOOLFORGE_COMPONENTS_TOKEN_KEY: newKey });
  assert.equal((await tokenCall(rotated.url, 'GET')).token, token, 'the old key is no longer needed');
  await stop(rotated);
});

test('a key that is not 32 bytes: serve refuses to start (exit 2) and says what a key is', async () => {
  const error = (await serve([], { TOOLFORGE_COMPONENTS_TOKEN_KEY: 'too-short' }).catch(
    (e: unknown) => e,
  )) as {
    code: number;
    stderr: string;
  };
  assert.equal(error.code, 2);
  assert.match(error.stderr, /a token key is 32 random bytes written as base64 or hex/);
});
