import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../../src/cli/main.ts', import.meta.url));

it('simulate prints its URL, serves builds-api and jobs-api, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'simulate', '--port', '0', '--seed', '4'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`simulate exited early (${String(code)}): ${output}`)));
    });
    const response = await fetch(`${url}/jobs/v1/tool/t1/jobs`, { headers: { 'x-toolforge-tool': 't1' } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { jobs: [], messages: { info: [], warning: [], error: [] } });
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.match(output, /Stopped after 0 builds-api and 1 jobs-api requests\./);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
