import { test } from 'node:test';
import assert from 'node:assert/strict';
import { painter } from '../output.js';
import { renderToolStatus } from './status-view.js';
import type { JobRecordJsonT } from '../../model/wire/tool-status-json.js';

/** The fields every job and build record has, which these rows do not show. */
const JOB: JobRecordJsonT = {
  name: 'job',
  type: 'continuous',
  image: '',
  command: 'web',
  state: 'running',
  health: 'none',
};
const BUILD = {
  imageName: 'toolhunt-api',
  repository: 'https://example.org/toolhunt',
  useLatestVersions: false,
  useDeprecatedVersions: false,
};

test('status: one row per component with its state, job, health and build; drift detail; counts', () => {
  const lines = renderToolStatus(
    {
      tool: 'toolhunt',
      observedAt: '2026-11-25T10:00:00.000Z',
      builds: [],
      jobs: [],
      undeployedChanges: false,
      components: [
        {
          name: 'toolhunt-api',
          type: 'continuous',
          status: 'drifted',
          job: {
            ...JOB,
            name: 'toolhunt-api',
            state: 'running',
            health: 'healthy',
            replicas: 2,
            readyReplicas: 2,
          },
          drift: [{ field: 'command', before: 'web', after: 'gunicorn' }],
          latestBuild: { ...BUILD, id: 'b-1', state: 'successful' },
        },
        { name: 'toolhunt-cleanup', type: 'scheduled', status: 'missing' },
        {
          name: 'old-job',
          status: 'unmanaged',
          job: { ...JOB, name: 'old-job', state: 'running', health: 'none', image: 'tool-t/old:latest' },
        },
      ],
      counts: { managed: 0, drifted: 1, missing: 1, orphaned: 0, unmanaged: 1 },
    },
    painter(false),
  );
  assert.deepEqual(lines, [
    'Tool: toolhunt (observed 2026-11-25T10:00:00.000Z)',
    'NAME              TYPE        STATE      JOB          HEALTH   IMAGE / BUILD    ',
    '----------------  ----------  ---------  -----------  -------  -----------------',
    'toolhunt-api      continuous  drifted    running 2/2  healthy  b-1 (successful) ',
    'toolhunt-cleanup  scheduled   missing    -            -        -                ',
    'old-job           -           unmanaged  running      none     tool-t/old:latest',
    '  toolhunt-api: command: "web" → "gunicorn"',
    '0 managed, 1 drifted, 1 missing, 0 orphaned, 1 unmanaged',
  ]);
});
