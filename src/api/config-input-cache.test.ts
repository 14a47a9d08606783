import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configDigest } from '../plan/digest.js';
import { ApiError } from './api-errors.js';
import { DeployInputCache, readDeployInput } from './config-input-cache.js';
import { DEFAULT_INPUT_LIMITS } from './config-input.js';

const TOOLHUNT = readFileSync(new URL('../../examples/toolhunt/toolforge.yaml', import.meta.url), 'utf8');
const YAML = 'application/yaml';

describe('DeployInputCache', () => {
  it('reads a body as the uncached reader does, with its config digest', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    const reading = cache.read(TOOLHUNT, YAML);
    const fresh = readDeployInput(TOOLHUNT, YAML, DEFAULT_INPUT_LIMITS);
    assert.ok(fresh.loaded);
    assert.deepEqual(reading, { ...fresh, configDigest: configDigest(fresh.loaded.config) });
  });

  it('answers the same body again from the cache', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    assert.equal(cache.read(TOOLHUNT, YAML), cache.read(TOOLHUNT, YAML));
  });

  it('reads a changed body anew', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    const before = cache.read(TOOLHUNT, YAML);
    const changed = cache.read(TOOLHUNT.replace('command: cleanup', 'command: cleanup2'), YAML);
    assert.notEqual(changed.configDigest, before.configDigest);
    const job = changed.loaded?.config.components.find((c) => c.name === 'toolhunt-cleanup');
    assert.equal(job?.run.command, 'cleanup2');
  });

  it('keys by content type too: a YAML body read before is still refused as JSON', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    assert.ok(cache.read(TOOLHUNT, YAML).loaded);
    assert.throws(
      () => cache.read(TOOLHUNT, 'application/json'),
      (error) => error instanceof ApiError && error.status === 422,
    );
  });

  it('keeps a plan_id sent with the config, and one sent alone', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    const config = {
      config_version: 'v1beta2',
      components: {
        web: {
          component_type: 'continuous',
          build: { repository: 'https://gitlab.wikimedia.org/toolforge-repos/x', ref: 'main' },
          run: { command: 'web' },
        },
      },
    };
    const both = cache.read(JSON.stringify({ ...config, plan_id: 'p1' }), 'application/json');
    assert.equal(both.planId, 'p1');
    assert.ok(both.loaded);
    assert.deepEqual(cache.read('{"plan_id": "p2"}', 'application/json'), { planId: 'p2' });
  });

  it('hands out frozen readings: a request cannot change what the next one reads', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    const reading = cache.read(TOOLHUNT, YAML);
    const components = reading.loaded?.config.components as unknown as unknown[];
    assert.throws(() => components.pop(), TypeError);
    assert.equal(cache.read(TOOLHUNT, YAML).loaded?.config.components.length, 3);
  });

  it('keeps at most maxEntries readings, dropping the least recently used', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS, { maxEntries: 2 });
    const body = (command: string): string => TOOLHUNT.replace('command: cleanup', `command: ${command}`);
    const first = cache.read(body('a'), YAML);
    cache.read(body('b'), YAML);
    assert.equal(cache.read(body('a'), YAML), first, 'still kept');
    cache.read(body('c'), YAML); // drops b, the least recently used
    assert.equal(cache.read(body('a'), YAML), first, 'still kept');
    const again = cache.read(body('b'), YAML);
    assert.deepEqual(again, readAsCached(body('b')));
    cache.read(body('d'), YAML); // drops a
    assert.notEqual(cache.read(body('a'), YAML), first, 'read anew');
  });

  it('does not keep a body longer than a quarter of maxChars', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS, { maxChars: TOOLHUNT.length * 2 });
    assert.notEqual(cache.read(TOOLHUNT, YAML), cache.read(TOOLHUNT, YAML));
  });

  it('answers an empty body with nothing, as the uncached reader does', () => {
    const cache = new DeployInputCache(DEFAULT_INPUT_LIMITS);
    assert.deepEqual(cache.read('  \n', YAML), readDeployInput('  \n', YAML, DEFAULT_INPUT_LIMITS));
  });
});

function readAsCached(text: string): unknown {
  const fresh = readDeployInput(text, YAML, DEFAULT_INPUT_LIMITS);
  return fresh.loaded ? { ...fresh, configDigest: configDigest(fresh.loaded.config) } : fresh;
}
