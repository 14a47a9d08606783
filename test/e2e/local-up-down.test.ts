/**
 * `up --detach` then `down` as real CLI processes with their own TOOLFORGE_COMPONENTS_HOME: the background
 * service deploys the tool and keeps it running after `up` exits; `down` stops the service and every process it
 * started — also one that daemonized out of its process group, and also after the service itself crashed — so
 * nothing is left behind.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../../src/runtimes/local/jobs/free-port.js';
import { APP_FILES, commitFiles, httpText, isAlive, waitFor } from '../support/local-e2e.js';
import { exists, processesUnder, runCli, stopEverythingUnder } from '../support/cli-process.js';
import { tempDir } from '../support/local-kit.js';

/** Writes the pid of a `sleep` that left its process group to TOOL_DATA_DIR/escaped.pid, then idles. */
const ESCAPER = `setsid sh -c 'echo $$ > "$TOOL_DATA_DIR/escaped.pid"; exec sleep 300' >/dev/null 2>&1 & exec sleep 600`;

describe('local e2e: up --detach and down as CLI processes', () => {
  const tmp = tempDir('updown');
  const home = join(tmp.path, 'home');
  const env = { TOOLFORGE_COMPONENTS_HOME: home };
  let servicePid: number | undefined;

  after(async () => {
    await stopEverythingUnder(tmp.path, env, servicePid);
    tmp.remove();
  });

  /** The pid in TOOL_DATA_DIR/escaped.pid once it is there (and is not `previous`). */
  let escapedBefore: number | undefined;
  async function escapedPid(dataDir: string, previous?: number): Promise<number> {
    const path = join(dataDir, 'tools', 'tool', 'data', 'escaped.pid');
    const pid = await waitFor('the escaped sleep', () => {
      let text = '';
      try {
        text = readFileSync(path, 'utf8').trim();
      } catch {
        return undefined;
      }
      return text !== '' && Number(text) !== previous ? Number(text) : undefined;
    });
    escapedBefore = pid;
    return pid;
  }

  it('leaves no process behind after down, not even one that daemonized', async () => {
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
        // Goes to the background as a classic daemon would: out of its process group, into its own session.
        '  escaper:',
        '    type: continuous',
        '    build:',
        '      reuse-from: web',
        '    run:',
        `      command: ${JSON.stringify(ESCAPER)}`,
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
    const escaped = await escapedPid(home);
    const components = processesUnder(tmp.path).filter((pid) => pid !== servicePid);
    assert.ok(components.length >= 4, `component processes found: ${components.join(', ')}`);
    assert.ok(components.includes(escaped));
    const everything = [servicePid, ...components];

    const down = await runCli(['down'], env);
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, new RegExp(`^Stopped the local service \\(pid ${servicePid}\\)\\.$`, 'm'));
    assert.match(down.stdout, new RegExp(`^  ${escaped} sleep 300$`, 'm'), down.stdout);
    assert.match(down.stdout, /^Nothing of it is running any more\.$/m);
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

  it('after the service crashed, down stops what it left behind, daemonized processes included', async () => {
    const file = join(tmp.path, 'tool', 'toolforge.yaml');
    const up = await runCli(['up', '--detach', file], env, { cwd: tmp.path });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const instance = JSON.parse(readFileSync(join(home, 'instance.json'), 'utf8')) as { pid: number };
    servicePid = instance.pid;
    const escaped = await escapedPid(home, escapedBefore);
    process.kill(servicePid, 'SIGKILL');
    await waitFor('the service to be gone', () => !exists(instance.pid));
    const left = processesUnder(tmp.path);
    assert.ok(left.includes(escaped) && left.length >= 4, `left behind: ${left.join(', ')}`);

    const down = await runCli(['down'], env);
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, /^No local service is running\.$/m);
    assert.match(down.stdout, new RegExp(`^  ${escaped} sleep 300$`, 'm'), down.stdout);
    assert.match(down.stdout, /were left by an earlier service/);
    // The service's direct children stay zombies when no init reaps them (as in some containers): alive means
    // running, not merely present.
    assert.deepEqual(
      left.filter((pid) => isAlive(pid)),
      [],
      'processes still alive after down',
    );
  });
});
