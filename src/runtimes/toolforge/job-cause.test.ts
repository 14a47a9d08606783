/**
 * What jobs-api says keeps a job from running reaches the wait's text: the executor's readiness detail names
 * it (`starting: scheduling, 0/3 nodes are available…`) instead of a bare "starting".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobCases } from '../../../test/support/toolforge-fixtures.js';
import { jobReadiness } from '../../execute/readiness.js';
import { decodeJob } from './toolforge-decode.js';

function fixture(label: string): unknown {
  const found = jobCases.find((c) => c.label === label);
  assert.ok(found, `no job fixture "${label}"`);
  return found.payload;
}

test("a job waiting for the scheduler: the wait names jobs-api's reason", () => {
  const job = decodeJob(fixture('waiting for the scheduler, with its reason'));
  assert.equal(job.healthReason, 'scheduling, 0/3 nodes are available: 3 Insufficient cpu.');
  const verdict = jobReadiness('web', job, { kind: 'healthy', observed: 'stability' });
  assert.deepEqual(verdict, {
    kind: 'not-ready',
    detail: 'starting: scheduling, 0/3 nodes are available: 3 Insufficient cpu.',
  });
});

test('a running job has no health reason: jobs-api reports no readiness to explain', () => {
  const running = jobCases.find(
    (c) => c.expect.state === 'running' && (c.payload as { job_type?: string }).job_type === 'continuous',
  );
  assert.ok(running, 'a running continuous job fixture');
  assert.equal(decodeJob(running.payload).healthReason, undefined);
});
