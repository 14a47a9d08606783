/**
 * When a deployment goes wrong, the user learns why, quickly (issue 12), through the real CLI processes and a
 * real background service (`up --detach`, its own TOOLFORGE_COMPONENTS_HOME), with real git repositories and
 * real component processes:
 * - a web process listening on another port than its `port` fails the deployment within its deadline, naming
 *   both ports;
 * - a failing health script: piped output streams the wait with the script's exit code and output within
 *   seconds, reminds of it, and the deployment fails when `--timeout` expires, with that last reason;
 * - a failing build: `logs C` points at the build, `logs C --build` prints the build log (from the data dir, and
 *   through the API when the data dir is not at hand);
 * - `plan FILE` against the running instance after a deploy shows no changes, and says which state it used;
 * - and the small things: restart, logs of every component, -V, a missing file, Ctrl-C on `up`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../src/runtimes/local/jobs/free-port.js';
import { commitFiles, tempDir } from '../support/local-kit.js';
import { BIN, processesUnder, runCli, stopEverythingUnder } from '../support/cli-process.js';
import { runCliStreamed, transcript } from '../support/cli-stream.js';

/** `web` listens on $PORT, `elsewhere` on $OTHER_PORT (as a server that ignores $PORT would). */
const APP = {
  Procfile: 'web: node server.js\nelsewhere: node server.js elsewhere\n',
  'server.js': [
    "const http = require('node:http');",
    "const port = Number(process.argv[2] === 'elsewhere' ? process.env.OTHER_PORT : process.env.PORT);",
    "http.createServer((req, res) => res.end('ok')).listen(port, '127.0.0.1', () => console.log('listening on ' + port));",
    '',
  ].join('\n'),
};

function yaml(components: Record<string, string[]>): string {
  const lines = ['config-version: 0.1', 'components:'];
  for (const [name, body] of Object.entries(components))
    lines.push(`  ${name}:`, ...body.map((l) => `    ${l}`));
  return `${lines.join('\n')}\n`;
}

describe('local e2e: failures explain themselves (CLI processes, background service)', () => {
  const tmp = tempDir('diagnosis-e2e');
  const home = join(tmp.path, 'home');
  const env: Record<string, string> = {
    TOOLFORGE_COMPONENTS_HOME: home,
    TOOLFORGE_COMPONENTS_REMINDER: '2s',
  };
  let servicePid: number | undefined;
  /** Where `elsewhere` listens: in the service's environment, which its components inherit. */
  let other = 0;

  /** A tool folder with the app committed in `app/` and `toolforge.yaml`; returns the file. */
  function toolDir(
    tool: string,
    components: Record<string, string[]>,
    files: Readonly<Record<string, string>> = APP,
  ): string {
    const dir = join(tmp.path, tool);
    commitFiles(join(dir, 'app'), files, 'app');
    const file = join(dir, 'toolforge.yaml');
    writeFileSync(file, yaml(components));
    return file;
  }

  before(async () => {
    // The service starts with a first tool that deploys cleanly, so later tools only deploy to it.
    const port = await freePort('127.0.0.1');
    other = await freePort('127.0.0.1');
    env.OTHER_PORT = String(other);
    const file = toolDir('good', {
      web: [
        'type: continuous',
        'build:',
        '  repository: ./app',
        'run:',
        `  port: ${port}`,
        '  health-check-http: /',
      ],
    });
    const up = await runCli(['up', '--detach', file], env, { cwd: tmp.path, timeoutMs: 90_000 });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const { liveInstance } = await import('../../src/instance/instance-file.js');
    servicePid = liveInstance(home)?.pid;
  });

  after(async () => {
    await stopEverythingUnder(tmp.path, env, servicePid);
    tmp.remove();
  });

  it('fails a web process that listens on another port, within the deadline, naming both ports', async () => {
    const port = await freePort('127.0.0.1');
    const file = toolDir('wrongport', {
      myweb: [
        'type: continuous',
        'build:',
        '  repository: ./app',
        'run:',
        '  command: elsewhere',
        `  port: ${port}`,
        '  health-check-http: /',
        '  publish: /',
      ],
    });
    const run = await runCliStreamed(['--tool', 'wrongport', 'deploy', '--timeout', '60s', file], env);
    const shown = transcript(run);
    assert.equal(run.code, 1, shown);
    assert.ok(run.exitMs < 30_000, `failed fast, not at the 60 s deadline:\n${shown}`);
    assert.match(
      run.stdout,
      new RegExp(
        `^\\[❌\\] myweb: .*listens on 127\\.0\\.0\\.1:${other}, not on the configured port ${port}`,
        'm',
      ),
      shown,
    );
    assert.match(run.stdout, new RegExp(`listening on ${other}`), 'with the last log lines');
    assert.doesNotMatch(run.stdout, /^Published:/m, 'a port nothing of ours answers on is not published');
    assert.doesNotMatch(run.stderr, /beta feature/, 'no Toolforge beta warning from the local instance');
  });

  it('streams a failing health check as it happens, reminds of it, and fails at --timeout with the reason', async () => {
    const port = await freePort('127.0.0.1');
    const file = toolDir('healthscript', {
      myweb: [
        'type: continuous',
        'build:',
        '  repository: ./app',
        'run:',
        `  port: ${port}`,
        `  health-check-script: 'echo "database not reachable"; exit 1'`,
      ],
    });
    const run = await runCliStreamed(['--tool', 'healthscript', 'deploy', '--timeout', '8s', file], env);
    const shown = transcript(run);
    assert.equal(run.code, 1, shown);
    const waiting = run.lines.find(
      (l) =>
        l.text === 'myweb: waiting for health (0/1 ready: health script exited 1: database not reachable)',
    );
    assert.ok(waiting, `the wait and its reason are streamed:\n${shown}`);
    assert.equal(waiting.stream, 'stderr', 'stdout keeps only the result lines');
    assert.ok(waiting.atMs < 6_000, `within seconds of the start:\n${shown}`);
    assert.ok(
      run.exitMs - waiting.atMs > 5_000,
      `long before the end (streamed, not printed at exit):\n${shown}`,
    );
    assert.ok(
      run.lines.some((l) =>
        /^myweb: \d+s, still waiting for health \(0\/1 ready: health script exited 1/.test(l.text),
      ),
      `a reminder while it waits:\n${shown}`,
    );
    assert.match(
      run.stdout,
      /^\[❌\] myweb: timed out after 8s waiting for myweb to be healthy \(0\/1 replicas healthy: health script exited 1: database not reachable\)$/m,
      shown,
    );
    assert.ok(run.exitMs >= 8_000, `the deadline was --timeout's:\n${shown}`);
    assert.match(
      run.stderr,
      /^Last lines of myweb's log:\n(?: {2}.*\n)*? {2}.*health check failing: health script exited 1/m,
      shown,
    );
  });

  it('a failing build: logs points at it, logs --build prints it, from the data dir and through the API', async () => {
    const file = toolDir(
      'badbuild',
      {
        myweb: [
          'type: continuous',
          'build:',
          '  repository: ./app',
          'run:',
          `  port: ${await freePort('127.0.0.1')}`,
        ],
      },
      {
        ...APP,
        'bin/build': 'echo "compiling assets"\necho "sass: file not found: main.scss" >&2\nexit 2\n',
      },
    );
    const deploy = await runCli(['--tool', 'badbuild', 'deploy', file], env);
    assert.equal(deploy.code, 1, `${deploy.stdout}\n${deploy.stderr}`);
    assert.match(deploy.stderr, /^The build log of myweb: toolforge-components logs myweb --build$/m);

    const logs = await runCli(['--tool', 'badbuild', 'logs', 'myweb'], env);
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /its build failed: see its log with `toolforge-components logs myweb --build`/);

    const local = await runCli(['--tool', 'badbuild', 'logs', 'myweb', '--build'], env);
    assert.equal(local.code, 0, local.stderr);
    assert.match(
      local.stdout,
      /\[bin\/build\] compiling assets\n.*\[bin\/build\] sass: file not found: main\.scss/,
    );
    assert.match(local.stdout, /build step 'bin\/build' failed \(exit code 2\)/);

    // Not built in this data dir: the components API answers with the runtime's log (builds-api's on Toolforge).
    const remote = await runCli(
      ['--tool', 'badbuild', 'logs', 'myweb', '--build', '--data-dir', join(tmp.path, 'elsewhere')],
      env,
    );
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stderr, /^Build myweb-\S+ of myweb \(failed\):$/m);
    assert.match(remote.stdout, /sass: file not found: main\.scss/);

    const show = await runCli(['--tool', 'badbuild', 'deployment', 'show'], env);
    assert.match(show.stdout, /^ {4}Its log: toolforge-components logs myweb --build$/m);
  });

  it('plan FILE against the running instance after a deploy: no changes, and it says which state it used', async () => {
    const file = join(tmp.path, 'good', 'toolforge.yaml');
    const live = await runCli(['--tool', 'good', 'plan', file, '--detailed-exitcode'], env);
    assert.equal(live.code, 0, `${live.stdout}\n${live.stderr}`);
    assert.match(live.stdout, /No changes\. The tool matches the configuration\./);
    assert.match(
      live.stderr,
      /^Planned against the live state of tool good at http:\/\/127\.0\.0\.1:\d+\/v1 \(the local instance\)/m,
    );
    const offline = await runCli(['--tool', 'good', 'plan', file, '--offline', '--detailed-exitcode'], env);
    assert.equal(offline.code, 2, 'offline, the same file plans a whole deployment');
    assert.match(offline.stderr, /^Planned offline, against an empty tool \(--offline\)\.$/m);
  });
});

describe('local e2e: the small things (CLI processes, background service)', () => {
  const tmp = tempDir('small-e2e');
  const home = join(tmp.path, 'home');
  const env = { TOOLFORGE_COMPONENTS_HOME: home };
  let servicePid: number | undefined;
  let port = 0;
  let file = '';

  before(async () => {
    port = await freePort('127.0.0.1');
    commitFiles(join(tmp.path, 'small', 'app'), APP, 'app');
    file = join(tmp.path, 'small', 'toolforge.yaml');
    writeFileSync(
      file,
      yaml({
        web: [
          'type: continuous',
          'build:',
          '  repository: ./app',
          'run:',
          `  port: ${port}`,
          '  health-check-http: /',
          '  publish: /',
        ],
        worker: [
          'type: continuous',
          'build:',
          '  reuse-from: web',
          'run:',
          "  command: 'echo worker up; exec sleep 300'",
        ],
      }),
    );
    const up = await runCli(['up', '--detach', file], env, { cwd: tmp.path, timeoutMs: 90_000 });
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, new RegExp(`^Published:\\n {2}web: http://127\\.0\\.0\\.1:${port}/$`, 'm'));
    const { liveInstance } = await import('../../src/instance/instance-file.js');
    servicePid = liveInstance(home)?.pid;
  });

  after(async () => {
    await stopEverythingUnder(tmp.path, env, servicePid);
    tmp.remove();
  });

  it('restart COMPONENT restarts its process without a deployment', async () => {
    const starts = async (): Promise<number> =>
      ((await runCli(['logs', 'web'], env)).stdout.match(/\[web\] starting: /g) ?? []).length;
    const before = await starts();
    const restart = await runCli(['restart', 'web'], env);
    assert.equal(restart.code, 0, restart.stderr);
    assert.equal(restart.stdout, 'Restarted web.\n');
    assert.equal(await starts(), before + 1);
    const missing = await runCli(['restart', 'nope'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No job found for component: nope/);
  });

  it('logs without a component prints every component, each line prefixed with its name', async () => {
    const logs = await runCli(['logs'], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^web {4}\| .*\[web\] listening on \d+$/m);
    assert.match(logs.stdout, /^worker \| .*\[worker\] worker up$/m);
  });

  it('-V prints the version; a missing file is one plain sentence', async () => {
    const version = await runCli(['-V'], env);
    assert.match(version.stdout, /^Toolforge Components CLI, version \d+\.\d+\.\d+\n$/);
    const missing = await runCli(['deploy', join(tmp.path, 'nope.yaml')], env);
    assert.equal(missing.stderr, `Error: config file ${join(tmp.path, 'nope.yaml')} does not exist\n`);
  });
});

describe('local e2e: Ctrl-C on up', () => {
  const tmp = tempDir('ctrlc-e2e');
  after(() => {
    for (const pid of processesUnder(tmp.path)) process.kill(pid, 'SIGKILL');
    tmp.remove();
  });

  it('says what it stops, then stops it', async () => {
    const port = await freePort('127.0.0.1');
    commitFiles(join(tmp.path, 'ctrlc', 'app'), APP, 'app');
    const file = join(tmp.path, 'ctrlc', 'toolforge.yaml');
    writeFileSync(
      file,
      yaml({
        web: [
          'type: continuous',
          'build:',
          '  repository: ./app',
          'run:',
          `  port: ${port}`,
          '  health-check-http: /',
        ],
      }),
    );
    const child = spawn(process.execPath, [BIN, 'up', file], {
      cwd: tmp.path,
      env: { ...process.env, NO_COLOR: '1', TOOLFORGE_COMPONENTS_HOME: join(tmp.path, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no deploy within 60 s:\n${stdout}\n${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/^Following logs/m.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const running = processesUnder(tmp.path);
    assert.ok(running.length > 0, 'the component runs');
    child.kill('SIGINT');
    await exited;
    assert.match(stderr, /^Stopping the local service and its components \(web\)\.\.\.$/m);
    assert.deepEqual(processesUnder(tmp.path), [], 'nothing of it runs any more');
  });
});
