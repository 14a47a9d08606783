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

interface Operation {
  readonly responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

/** The schema an operation documents for `status` and content type, or undefined. */
function documented(op: Operation | undefined, status: string, type: string): Record<string, unknown> {
  return op?.responses?.[status]?.content?.[type]?.schema ?? {};
}

/** A payload schema that says something: an object with fields, a map of them, or a union of such. */
function isReal(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Record<string, unknown>;
  if (typeof s.properties === 'object' && s.properties !== null && Object.keys(s.properties).length > 0)
    return true;
  if (Array.isArray(s.anyOf)) return s.anyOf.length > 0 && s.anyOf.every(isReal);
  return false;
}

test('the main routes document real answers: the envelope with a payload of named fields, and the error envelope', async () => {
  const h = await openHarness('sqlite');
  try {
    const paths = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>().paths;
    const main: ReadonlyArray<readonly [string, string, readonly string[]]> = [
      ['get', '/v1/tool/{toolname}/status', ['tool', 'components', 'counts', 'undeployedChanges']],
      ['post', '/v1/tool/{toolname}/deploy', ['deploy_id', 'format_version']],
      ['get', '/v1/tool/{toolname}/deployment', ['deployments']],
      ['post', '/v1/tool/{toolname}/deployment', ['deploy_id', 'builds', 'runs', 'tasks', 'deployed']],
      ['get', '/v1/tool/{toolname}/deployment/{deployment_id}', ['deploy_id', 'status', 'tasks', 'plan_id']],
      ['get', '/v1/tool/{toolname}/deployment/latest', ['deploy_id']],
      ['get', '/v1/tool/{toolname}/deployment/{deployment_id}/result', ['deploy_id']],
      ['post', '/v1/tool/{toolname}/deployment/{deployment_id}/rollback', ['deploy_id', 'rollback_to']],
      ['put', '/v1/tool/{toolname}/deployment/{deployment_id}/cancel', ['deploy_id']],
      ['get', '/v1/tool/{toolname}/deployment/token', ['token', 'creation_date']],
    ];
    for (const [method, path, fields] of main) {
      const op = paths[path]?.[method];
      const ok = documented(op, '200', 'application/json');
      const data = (ok.properties as Record<string, unknown> | undefined)?.data;
      assert.ok(isReal(data), `${method} ${path}: data has a real schema`);
      const text = JSON.stringify(data);
      for (const field of fields)
        assert.ok(text.includes(`"${field}"`), `${method} ${path}: documents ${field}`);
      const error = documented(op, '4XX', 'application/json');
      assert.deepEqual(
        Object.keys((error.properties as Record<string, unknown> | undefined) ?? {}),
        ['messages'],
        `${method} ${path}: 4xx is the error envelope`,
      );
    }
    const events = paths['/v1/tool/{toolname}/deployment/{deployment_id}/events']?.get;
    assert.ok(
      isReal(documented(events, '200', 'text/event-stream')),
      'the events stream documents its events',
    );
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
