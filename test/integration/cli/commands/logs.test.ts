/** `logs` run as the real CLI process (which file it picks: src/cli/commands/logs.test.ts). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir, writeFiles } from '../../../support/local-kit.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../../../src/cli/main.ts', import.meta.url));

describe('logs command', () => {
  const tmp = tempDir('logs-cli');
  writeFiles(tmp.path, {
    'logs/t1/web.log': '2026-01-01T00:00:00.000Z [web] hello\n2026-01-01T00:00:01.000Z [web] world\n',
    'logs/t1/api.log': 'a\n',
    'logs/t2/api.log': 'b\n',
  });
  after(() => tmp.remove());

  it('prints the log lines, and one readable error line for an unknown component', async () => {
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      MAIN,
      'logs',
      'web',
      '--data-dir',
      tmp.path,
    ]);
    assert.equal(stdout, '2026-01-01T00:00:00.000Z [web] hello\n2026-01-01T00:00:01.000Z [web] world\n');
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', MAIN, 'logs', 'nope', '--data-dir', tmp.path]),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.equal(error.stderr?.trim(), `Error: no logs for component "nope" in ${tmp.path}`);
        return true;
      },
    );
  });
});

describe('logs --build against upstream components-api (no build-logs route)', () => {
  it("names the latest build and builds-api's command for its log", async () => {
    const { startTestApi, upstream, runCli } = await import('../../../support/cli-kit.js');
    const api = await startTestApi([upstream('latest deployment')]);
    try {
      const env = { TOOLFORGE_COMPONENTS_API_URL: api.url, TOOLFORGE_TOOL: 't1' };
      const web = await runCli(['logs', 'web', '--build'], { env });
      assert.equal(web.code, 1);
      assert.equal(
        web.stderr,
        'Error: This components-api serves no build logs; its latest build is t1-buildpacks-pipelinerun-x7k2p: toolforge build logs t1-buildpacks-pipelinerun-x7k2p\n',
      );
      const cron = await runCli(['logs', 'cron', '--build'], { env });
      assert.match(cron.stderr, /the latest deployment has no build of cron/);
    } finally {
      await api.close();
    }
  });
});
