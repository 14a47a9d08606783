/**
 * Conformance of our `/v1` API with upstream components-api's OpenAPI document, when the reference folder is
 * present: every upstream operation (method and path) exists in ours (/openapi.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from '../support/api-harness.js';
import { readReferenceYaml, skipWithoutReference } from './reference.js';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

function operations(paths: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

test('our OpenAPI covers every upstream operation', { skip: skipWithoutReference }, async () => {
  const upstream = readReferenceYaml('components-api.openapi.yaml') as {
    paths: Record<string, Record<string, unknown>>;
  };
  const h = await openHarness('sqlite');
  try {
    const response = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const ours = new Set(
      operations(response.json<{ paths: Record<string, Record<string, unknown>> }>().paths),
    );
    const expected = operations(upstream.paths);
    assert.ok(expected.length >= 17);
    assert.deepEqual(
      expected.filter((op) => !ours.has(op)),
      [],
    );
  } finally {
    await h.close();
  }
});
