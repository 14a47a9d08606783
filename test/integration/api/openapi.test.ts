/** Our OpenAPI has the routes we add to upstream's (test/conformance/ compares it with upstream's own). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from '../../support/api-harness.js';

test('our OpenAPI lists the new routes', async () => {
  const h = await openHarness('sqlite');
  try {
    const response = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const paths = response.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
    const ours = new Set(
      Object.entries(paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
      ),
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
