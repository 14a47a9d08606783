import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployedConfigState, hasUndeployedChanges, lastSuccessfulDeployment } from './undeployed.js';
import { sampleConfig, sampleDeployment } from '../../test/support/deployment-fixtures.js';

test('the stored config equal to the last successful deployment snapshot has no undeployed changes', () => {
  const { deployment } = sampleDeployment('t', { state: 'successful' });
  const state = deployedConfigState(sampleConfig(), deployment);
  assert.deepEqual(state, { kind: 'deployed', deployment: deployment.id });
  assert.equal(hasUndeployedChanges(state), false);
});

test('a stored config that differs from the snapshot has undeployed changes, naming that deployment', () => {
  const { deployment } = sampleDeployment('t', { state: 'successful' });
  const changed = { ...sampleConfig(), components: sampleConfig().components.slice(1) };
  const state = deployedConfigState(changed, deployment);
  assert.deepEqual(state, { kind: 'undeployed-changes', deployment: deployment.id });
  assert.equal(hasUndeployedChanges(state), true);
});

test('never deployed and no config are told apart', () => {
  assert.deepEqual(deployedConfigState(sampleConfig(), undefined), { kind: 'never-deployed' });
  assert.equal(hasUndeployedChanges({ kind: 'never-deployed' }), true);
  assert.deepEqual(deployedConfigState(undefined, undefined), { kind: 'no-config' });
  assert.equal(hasUndeployedChanges({ kind: 'no-config' }), false);
});

test('the last successful deployment is the newest successful one, whatever failed after it', () => {
  const a = sampleDeployment('t', { state: 'successful', createdAt: '2026-01-01T00:00:00.000Z' }).deployment;
  const b = sampleDeployment('t', { state: 'successful', createdAt: '2026-01-02T00:00:00.000Z' }).deployment;
  const c = sampleDeployment('t', { state: 'failed', createdAt: '2026-01-03T00:00:00.000Z' }).deployment;
  assert.equal(lastSuccessfulDeployment([a, b, c])?.id, b.id);
  assert.equal(lastSuccessfulDeployment([c, b, a])?.id, b.id);
  assert.equal(lastSuccessfulDeployment([c]), undefined);
});
