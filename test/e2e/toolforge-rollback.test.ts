/**
 * Rollback end to end on Toolforge: the CLI → a spawned `serve --runtime toolforge` (SQLite) → the builds-api +
 * jobs-api simulator, with real git repositories. Two deployments of two commits, then `deployment rollback`:
 * the plan first, no build, the first build's image (by digest) running again; then a rollback refused for a
 * deployment that failed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import { runCli } from '../support/cli-kit.js';
import { callApi, makeGitRepo, spawnServe, tempDir } from '../support/toolforge-e2e.js';
import type { ServerProcess } from '../support/server-process.js';

let dir: ReturnType<typeof tempDir>;
let sim: Simulator | undefined;
let server: ServerProcess | undefined;

before(async () => {
  dir = tempDir('tfc-e2e-rollback-');
  sim = await startSimulator({
    seed: 13,
    builds: { durationMs: 200, resolveRefs: 'git', failImages: ['broken'] },
    jobs: { startMs: 50 },
  });
  server = await spawnServe(join(dir.path, 'components.db'), sim.url, join(dir.path, 'home'));
});

after(async () => {
  await server?.stop();
  await sim?.close();
  dir.dispose();
});

const TOOL = 'rollback';
const cli = (...args: string[]) =>
  runCli(['--api-url', server!.url, '--tool', TOOL, ...args], { timeoutMs: 60_000 });
const deploymentId = (stdout: string): string => /\(deployment (\S+)\)\.\.\./.exec(stdout)?.[1] ?? '';

function commit(repo: string, file: string, text: string): void {
  writeFileSync(join(repo, file), text);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'e2e',
    GIT_AUTHOR_EMAIL: 'e@x',
    GIT_COMMITTER_NAME: 'e2e',
    GIT_COMMITTER_EMAIL: 'e@x',
  };
  execFileSync('git', ['-C', repo, 'commit', '-qam', text], { env });
}

function configYaml(app: string, extra = ''): string {
  return [
    'config-version: 0.1',
    'components:',
    '  web:',
    '    type: continuous',
    `    build: {repository: ${app}, ref: main}`,
    '    run: {port: 8000, health-check-http: /healthz}',
    extra,
  ].join('\n');
}

describe('rollback CLI → serve --runtime toolforge → simulator', () => {
  let app: string;
  let file: string;
  let first: { id: string; commit: string; image: string; buildId: string };

  before(async () => {
    app = makeGitRepo(dir.path, 'app');
    file = join(dir.path, 'toolforge.yaml');
    writeFileSync(file, configYaml(app));
    const one = await cli('deploy', file);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const id = deploymentId(one.stdout);
    const shown = await callApi(server!.url, 'GET', `/v1/tool/${TOOL}/deployment/${id}`);
    type Deployed = Record<string, { commit: string; image: string; build_id: string }>;
    const deployed = (shown.body.data as { deployed: Deployed }).deployed;
    first = {
      id,
      commit: deployed.web?.commit ?? '',
      image: deployed.web?.image ?? '',
      buildId: deployed.web?.build_id ?? '',
    };
    assert.equal(first.commit, execFileSync('git', ['-C', app, 'rev-parse', 'HEAD']).toString().trim());
    assert.match(first.image, /@sha256:[0-9a-f]{64}$/);
    commit(app, 'Procfile', 'web: echo v2\n');
    const two = await cli('deploy', file);
    assert.equal(two.code, 0, `${two.stdout}\n${two.stderr}`);
    assert.equal(sim!.state.toolBuilds(TOOL).length, 2, 'the second commit was built');
  });

  it('shows the rollback plan first: a rollback to the first deployment, reusing its build, nothing to build', async () => {
    const r = await cli('deployment', 'rollback', '--only-plan');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Plan only: nothing was changed. Rollback to ${first.id}.`);
    assert.match(
      lines[1] ?? '',
      new RegExp(`^Rollback to deployment ${first.id}: Plan [0-9a-f]+ for tool ${TOOL}$`),
    );
    assert.match(r.stdout, /= ↻ {3}web {2}restart .*reusing build \S+ of .*\(([0-9a-f]{12})\)/);
    assert.match(r.stdout, /^Plan: 0 to build, 0 to create, 0 to update, 1 to restart, 0 to delete\.$/m);
    assert.equal(sim!.state.toolBuilds(TOOL).length, 2);
  });

  it("rolls back to the previous deployment's commit without a rebuild: the job runs the first image again", async () => {
    const r = await cli('deployment', 'rollback', '--wait', '60', '--description', 'v2 is broken');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Status: successful$/m);
    assert.match(r.stdout, new RegExp(`^Rollback to: ${first.id}$`, 'm'));
    assert.match(r.stdout, /^ {2}web\(skipped\): id:\S+ Reusing existing build$/m);
    assert.match(
      r.stdout,
      new RegExp(
        `^ {2}web: commit ${first.commit.slice(0, 12)}, image ${first.image.replace(/[.]/g, '\\.')}`,
        'm',
      ),
    );
    assert.equal(sim!.state.toolBuilds(TOOL).length, 2, 'no build was started');
    const job = sim!.state.toolJobs(TOOL).get('web');
    assert.equal(job?.spec.imagename, first.image.replace(/^tools-harbor\.wmcloud\.org\//, ''));
    const latest = await callApi(server!.url, 'GET', `/v1/tool/${TOOL}/deployment/latest`);
    assert.equal(
      (latest.body.data as { description: string }).description,
      `Rollback to ${first.id}: v2 is broken`,
    );
  });

  it('refuses to roll back to a deployment that failed, and says so', async () => {
    const broken = makeGitRepo(dir.path, 'broken');
    writeFileSync(
      file,
      configYaml(
        app,
        [
          '  broken:',
          '    type: continuous',
          `    build: {repository: ${broken}, ref: main}`,
          '    run: {command: web}',
        ].join('\n'),
      ),
    );
    const failed = await cli('deploy', file);
    assert.equal(failed.code, 1, `${failed.stdout}\n${failed.stderr}`);
    const id = deploymentId(failed.stdout);
    const status = await cli('status');
    assert.match(
      status.stdout,
      /^Config: undeployed changes \(the stored config differs from what deployment \S+ deployed\)$/m,
    );

    const r = await cli('deployment', 'rollback', id);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `Error: Deployment ${id} cannot be rolled back to: it is failed, and only a successful deployment is a version that worked`,
      ),
    );
    const latest = await callApi(server!.url, 'GET', `/v1/tool/${TOOL}/deployment/latest`);
    assert.equal((latest.body.data as { deploy_id: string }).deploy_id, id, 'no deployment was created');
  });

  it('rebuilds the recorded commit when the build it reused is gone from builds-api', async () => {
    const deleted = await fetch(`${sim!.url}/builds/v1/tool/${TOOL}/builds/${first.buildId}`, {
      method: 'DELETE',
      headers: { 'x-toolforge-tool': TOOL },
    });
    assert.equal(deleted.status, 200, await deleted.text());
    const before = sim!.state.toolBuilds(TOOL).length;
    const r = await cli('deployment', 'rollback', first.id, '--wait', '60');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const short = first.commit.slice(0, 12);
    assert.match(r.stdout, new RegExp(`rebuilding \\S+ at ${short}: no image of that build is left`));
    assert.match(r.stdout, /^Status: successful$/m);
    const builds = sim!.state.toolBuilds(TOOL);
    assert.equal(builds.length, before + 1, 'one build');
    const rebuilt = builds.at(-1);
    assert.equal(
      rebuilt?.parameters.ref,
      first.commit,
      'builds-api was asked for the commit, not the branch',
    );
    assert.equal(rebuilt?.resolvedRef, first.commit);
    assert.match(
      r.stdout,
      new RegExp(`^ {2}web: commit ${short}, image \\S+ \\(build ${rebuilt?.id}\\)$`, 'm'),
    );
  });
});
