import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeploymentJson } from '../api-types.js';
import { formatJson, painter, stripAnsi } from '../output.js';
import { recordedBody } from '../../../test/support/cli-kit.js';
import { renderDeploymentDetail, renderDeploymentSummary, renderDeploymentTable } from './deployment-view.js';
import { simpleTable } from './table.js';

const created = (recordedBody('create deployment via token (new build)') as { data: DeploymentJson }).data;
const latest = (recordedBody('latest deployment') as { data: DeploymentJson }).data;

test('deployment create: upstream summary block; a missing run_long_status prints empty', () => {
  assert.deepEqual(renderDeploymentSummary(created), [
    'Deployment ID: 20261124-175944-z0acpafyv7',
    'Created: 20261124-175944',
    '',
    'Builds:',
    '  web(pending): no-id-yet',
    '  cron(pending): no-id-yet',
    '',
    'Runs:',
    '  web(pending): ',
    '  cron(pending): ',
  ]);
});

test('deployment show: a missing status shows as unknown; the config snapshot is YAML with sorted keys', () => {
  const lines = renderDeploymentDetail(created);
  assert.equal(lines[2], 'Status: unknown');
  const config = lines.slice(lines.indexOf('Tool config:') + 1);
  assert.deepEqual(config.slice(0, 4), [
    '  components:',
    '    cron:',
    '      build:',
    '        reuse_from: web',
  ]);
  assert.equal(config.at(-1), '  config_version: v1beta1');
});

test('deployment show: bold labels and coloured statuses on a terminal', () => {
  const lines = renderDeploymentDetail(latest, painter(true));
  assert.equal(lines[2], '\u001b[1mStatus: \u001b[22m\u001b[32msuccessful\u001b[39m');
});

test('deployment list: multi-line cells, long statuses cut to 45 characters with an ellipsis, colour codes take no width', () => {
  const plain = renderDeploymentTable([latest]);
  const coloured = renderDeploymentTable([latest], painter(true)).map(stripAnsi);
  assert.deepEqual(coloured, plain);
  assert.equal(plain.length, 4);
  const long = latest.builds?.web?.build_long_status ?? '';
  assert.ok(long.length > 45);
  assert.ok(
    (plain[2] ?? '').includes(`web(successful): id:t1-buildpacks-pipelinerun-x7k2p ${long.slice(0, 44)}…  `),
  );
  assert.match(
    plain[3] ?? '',
    /^ {26} {2} {15} {2} {10} {2}cron\(skipped\): id:no-build-needed Component re-uses build from web/,
  );
  assert.deepEqual(renderDeploymentTable([]), [
    'ID  Creation time  Status  Builds  Runs',
    '--  -------------  ------  ------  ----',
  ]);
});

test('simpleTable pads every cell, the last column too (as tabulate does)', () => {
  assert.deepEqual(simpleTable(['a', 'bb'], [['xyz', '1\n22']]), [
    'a    bb',
    '---  --',
    'xyz  1 ',
    '     22',
  ]);
});

test('--json output is Python json.dumps(indent=4): non-ASCII escaped', () => {
  assert.equal(
    formatJson({ a: ['–', 1], b: {} }),
    '{\n    "a": [\n        "\\u2013",\n        1\n    ],\n    "b": {}\n}',
  );
});

test('deployment show: an untouched component reads unchanged, a failed build says where its whole log is', () => {
  const running: DeploymentJson = {
    deploy_id: '20261206-081544-qtetawqxfk',
    creation_time: '20261206-081544',
    status: 'running',
    builds: {
      web: {
        build_id: 'web-abc',
        build_status: 'failed',
        build_long_status: 'build step failed; last log lines:\n[build] npm ci\n[npm ci] ERR!',
      },
    },
    runs: {
      web: { run_status: 'skipped', run_long_status: 'build of web failed' },
      cron: { run_status: 'pending', run_long_status: 'job cron is already up to date' },
    },
  };
  const lines = renderDeploymentDetail(running);
  const builds = lines.slice(lines.indexOf('Builds:') + 1, lines.indexOf('Runs:') - 1);
  assert.deepEqual(builds, [
    '  web(failed): id:web-abc build step failed; last log lines:\n    [build] npm ci\n    [npm ci] ERR!',
    '    Its log: toolforge-components logs web --build',
  ]);
  assert.ok(lines.includes('  cron(unchanged): job cron is already up to date'), lines.join('\n'));
  assert.ok(lines.includes('  web(skipped): build of web failed'));
});
