/** Every path and method of upstream's components-api OpenAPI exists in ours (/openapi.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { openHarness } from '../support/api-harness.js';

const REFERENCE = new URL('../../../shared/reference/components-api.openapi.yaml', import.meta.url);
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

function operations(paths: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

test('our OpenAPI covers every upstream operation, plus the new routes', async () => {
  const upstream = parse(readFileSync(REFERENCE, 'utf8')) as {
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
    for (const op of [
      'GET /v1/tool/{toolname}/status',
      'POST /v1/tool/{toolname}/deploy',
      'GET /v1/tool/{toolname}/deployment/{deployment_id}/events',
      'GET /v1/tool/{toolname}/deployment/{deployment_id}/result',
    ]) {
      assert.ok(ours.has(op), op);
    }
  } finally {
    await h.close();
  }
});

test('metrics: Prometheus text with request latency, deployments by state and task durations', async () => {
  const h = await openHarness('sqlite');
  try {
    await h.app.inject({ method: 'GET', url: '/v1/healthz' });
    const r = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain/);
    assert.match(
      r.body,
      /components_api_request_duration_seconds_count\{method="GET",route="\/v1\/healthz",status_code="200"\} \d+/,
    );
    assert.match(r.body, /components_api_deployments\{state="pending"\} 0/);
    assert.match(r.body, /# TYPE components_task_duration_seconds histogram/);
  } finally {
    await h.close();
  }
});
