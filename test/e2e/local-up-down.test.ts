/**
 * `up --detach` then `down` as real CLI processes with their own TOOLFORGE_COMPONENTS_HOME: the background
 * service deploys the tool and keeps it running after `up` exits; `down` stops the service and every process it
 * started, so nothing is left behind.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../../src/runtimes/local/jobs/free-port.js';
import { APP_FILES, commitFiles, httpText, waitFor } from '../support/local-e2e.js';
import { exists, processesUnder, runCli } from '../support/cli-process.js';
import { tempDir } from '../support/local-kit.js';

describe('local e2e: up --detach and down as CLI processes', () => {
  const tmp = tempDir('updown');
  const home = join(tmp.path, 'home');
  const env = { TOOLFORGE_COMPONENTS_HOME: home };
  let servicePid: number | undefined;

  after(async () => {
    // Whatever happened, stop the background service (it stops its components) before removing its files.
    if (servicePid !== undefined && exists(servicePid)) {
      await runCli(['down'], env, { timeoutMs: 30_000 }).catch(() => undefined);
      if (exists(servicePid)) process.kill(servicePid, 'SIGKILL');
    }
    for (const pid of processesUnder(tmp.path)) process.kill(pid, 'SIGKILL');
    tmp.remove();
  });

  it('leaves no process behind after down', async () => {
    const app = join(tmp.path, 'tool', 'app');
    commitFiles(app, APP_FILES, 'app');
    const [webPort, workerPort] = [await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    const file = join(tmp.path, 'tool', 'toolforge.yaml');
    writeFileSync(
      file,
      [
        'config-version: 0.1',
        'components:',
        '  web:',
        '    type: continuous',
        '    build:',
        '      repository: ./app',
        '    run:',
        `      port: ${webPort}`,
        '      health-check-http: /healthz',
        '      publish: /',
        '  worker:',
        '    type: continuous',
        '    build:',
        '      reuse-from: web',
        '    run:',
        '      command: worker',
        `      port: ${workerPort}`,
        '      replicas: 2',
        '    wait-for:',
        '      - web',
        '',
      ].join('\n'),
    );

    const up = await runCli(['up', '--detach', file], env, { cwd: tmp.path });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /Started the service in the background/);
    const instance = JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8')) as { pid: number };
    servicePid = instance.pid;
    assert.ok(exists(servicePid), 'the service outlives `up`');
    assert.equal(await httpText(`http://127.0.0.1:${webPort}/healthz`), 'ok');
    assert.match((await httpText(`http://127.0.0.1:${workerPort}/`)) ?? '', /^worker/);

    // The web process, the two worker replicas (and the replicas' proxy lives in the service itself).
    const components = processesUnder(tmp.path).filter((pid) => pid !== servicePid);
    assert.ok(components.length >= 3, `component processes found: ${components.join(', ')}`);
    const everything = [servicePid, ...components];

    const down = await runCli(['down'], env);
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, /Stopped the local service/);
    await waitFor('every process to be gone', () => everything.every((pid) => !exists(pid)), 10_000).catch(
      () => undefined,
    );
    assert.deepEqual(
      everything.filter((pid) => exists(pid)),
      [],
      'processes still alive after down',
    );
    assert.deepEqual(processesUnder(tmp.path), [], 'nothing runs in the data dir any more');
    assert.equal(await httpText(`http://127.0.0.1:${webPort}/healthz`), undefined);
  });
});
