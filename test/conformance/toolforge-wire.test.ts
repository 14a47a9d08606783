/**
 * Conformance of the project's builds-api / jobs-api wire contract (src/runtimes/toolforge/wire) with
 * upstream's reference material, when it is present (it is in CI; a clone on its own skips this file):
 * - every schema of ours against the OpenAPI document's: fields, types, enums, patterns, bounds, required
 *   fields; the differences are exactly the documented deviations below (docs/upstream-compat.md#the-wire-builds-api-and-jobs-api);
 * - the payloads upstream's own code and tests produce (real-payloads/) fit our schemas, decode as our own
 *   fixtures of them say (test/fixtures/toolforge), and our fixtures have their fields and states;
 * - the job shapes recorded from jobs-api fit our request and answer models;
 * - the simulator answers jobs-api's recorded exchanges as jobs-api did;
 * - the build quota is read from the documented route, in the documented shape.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import * as builds from '../../src/runtimes/toolforge/wire/builds-api.js';
import * as jobs from '../../src/runtimes/toolforge/wire/jobs-api.js';
import { wireErrors, describeWireError } from '../../src/runtimes/toolforge/wire/schema.js';
import { decodeBuild, decodeJob } from '../../src/runtimes/toolforge/toolforge-decode.js';
import { ToolforgeRuntime } from '../../src/runtimes/toolforge/toolforge-runtime.js';
import { jobUpsertBody } from '../../src/runtimes/toolforge/toolforge-encode.js';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.js';
import type { BuildRecord, JobRecord } from '../../src/model/observed-state.js';
import { buildCases, jobCases } from '../support/toolforge-fixtures.js';
import {
  readReferenceJson,
  readReferenceYaml,
  referencePresent,
  skipWithoutReference,
  type Json,
} from './reference.js';
import { openApiResolver, shapeDifferences, shapeOf } from './schema-shape.js';

/** Our schema ↔ the reference document's schema of the same thing. */
const PAIRS: ReadonlyArray<readonly [api: 'builds' | 'jobs', ours: string, schema: TSchema, theirs: string]> =
  [
    ['builds', 'BuildParameters', builds.BuildParameters, 'BuildParameters'],
    ['builds', 'BuildStatus', builds.BuildStatus, 'BuildStatus'],
    ['builds', 'NewBuild', builds.NewBuild, 'NewBuild'],
    ['builds', 'StartResponse', builds.StartResponse, 'StartResponse'],
    ['builds', 'Build', builds.Build, 'Build'],
    ['builds', 'ListResponse', builds.ListResponse, 'ListResponse'],
    ['builds', 'GetResponse', builds.GetResponse, 'GetResponse'],
    ['builds', 'GetResponse', builds.GetResponse, 'LatestResponse'],
    ['builds', 'IdResponse', builds.IdResponse, 'CancelResponse'],
    ['builds', 'IdResponse', builds.IdResponse, 'DeleteResponse'],
    ['builds', 'CleanResponse', builds.CleanResponse, 'CleanResponse'],
    ['builds', 'BuildLog', builds.BuildLog, 'BuildLog'],
    ['builds', 'QuotaResponse', builds.QuotaResponse, 'QuotaResponse'],
    ['builds', 'HealthResponse', builds.HealthResponse, 'HealthResponse'],
    ['builds', 'ErrorBody', builds.ErrorBody, 'ResponseMessages'],
    ['jobs', 'ScriptHealthCheck', jobs.ScriptHealthCheck, 'ScriptHealthCheck'],
    ['jobs', 'HttpHealthCheck', jobs.HttpHealthCheck, 'HttpHealthCheck'],
    ['jobs', 'StatusShort', jobs.StatusShort, 'StatusShort'],
    ['jobs', 'EmailOption', jobs.EmailOption, 'EmailOption'],
    ['jobs', 'NewOneOffJob', jobs.NewOneOffJob, 'NewOneOffJob'],
    ['jobs', 'NewScheduledJob', jobs.NewScheduledJob, 'NewScheduledJob'],
    ['jobs', 'NewContinuousJob', jobs.NewContinuousJob, 'NewContinuousJob'],
    ['jobs', 'JobStatus', jobs.JobStatus, 'ContinuousJobStatus'],
    ['jobs', 'JobStatus', jobs.JobStatus, 'OneOffJobStatus'],
    ['jobs', 'ScheduledJobStatus', jobs.ScheduledJobStatus, 'ScheduledJobStatus'],
    ['jobs', 'DefinedOneOffJob', jobs.DefinedOneOffJob, 'DefinedOneOffJob'],
    ['jobs', 'DefinedScheduledJob', jobs.DefinedScheduledJob, 'DefinedScheduledJob'],
    ['jobs', 'DefinedContinuousJob', jobs.DefinedContinuousJob, 'DefinedContinuousJob'],
    ['jobs', 'JobListResponse', jobs.JobListResponse, 'JobListResponse'],
    ['jobs', 'JobResponse', jobs.JobResponse, 'JobResponse'],
    ['jobs', 'UpdateResponse', jobs.UpdateResponse, 'UpdateResponse'],
    ['jobs', 'MessagesResponse', jobs.MessagesResponse, 'RestartResponse'],
    ['jobs', 'MessagesResponse', jobs.MessagesResponse, 'DeleteResponse'],
    ['jobs', 'MessagesResponse', jobs.MessagesResponse, 'FlushResponse'],
    ['jobs', 'HealthResponse', jobs.HealthResponse, 'HealthResponse'],
    ['jobs', 'ErrorBody', jobs.ErrorBody, 'ResponseMessages'],
  ];

/**
 * Where our contract deliberately follows the running services instead of their OpenAPI documents
 * (docs/upstream-compat.md#the-wire-builds-api-and-jobs-api). `where` is matched against
 * `<reference schema> <field path>`; every difference the comparison finds must be one of these, and every one
 * of these must still be found (a deviation upstream has since fixed is taken out of the list).
 */
const DEVIATIONS: ReadonlyArray<{ api: 'builds' | 'jobs'; where: RegExp; diff: string; why: string }> = [
  {
    api: 'builds',
    where: /[ .]ref$/,
    diff: 'type null|string here, string upstream',
    why: 'upstream components-api sends "ref": null when the config has no ref; builds-api reads it as none',
  },
  {
    api: 'jobs',
    where: /[ .]duration$/,
    diff: 'type null|string here, string upstream',
    why: 'jobs-api answers "duration": null for a job it has just created (its recorded POST answer)',
  },
  {
    api: 'jobs',
    where: /[ .]previous_schedule$/,
    diff: 'type null|string here, string upstream',
    why: 'jobs-api sends null for a scheduled job that never ran (its status code: previous_schedule or None)',
  },
  {
    api: 'jobs',
    where: /(Continuous\S* |job_type=continuous>\.)publish$/,
    diff: 'only here',
    why: "the live jobs-api's continuous models have a boolean publish; the document predates it",
  },
  {
    api: 'jobs',
    where: /(Continuous\S* |job_type=continuous>\.)retry$/,
    diff: 'only upstream',
    why: 'the document lists retry on every job; the continuous models have none (422 extra_forbidden)',
  },
];

describe('wire contract ↔ upstream OpenAPI', { skip: skipWithoutReference }, () => {
  const docs = referencePresent
    ? {
        builds: readReferenceYaml('builds-api.openapi.yaml'),
        jobs: readReferenceYaml('jobs-api.openapi.yaml'),
      }
    : undefined;
  const seen = new Set<number>();

  for (const [api, ours, schema, theirs] of PAIRS) {
    it(`${api}-api ${ours} ↔ ${theirs}`, () => {
      const resolve = openApiResolver(docs![api]);
      const differences = shapeDifferences(
        shapeOf(schema as unknown as Json),
        shapeOf(resolve(`#/${theirs}`), resolve),
      );
      const unexplained = differences.filter((line) => {
        const split = line.indexOf(': ');
        const [path, diff] = [line.slice(0, split), line.slice(split + 2)];
        const index = DEVIATIONS.findIndex(
          (d) => d.api === api && d.diff === diff && d.where.test(`${theirs} ${path}`),
        );
        if (index >= 0) seen.add(index);
        return index < 0;
      });
      assert.deepEqual(unexplained, [], 'differences from the OpenAPI document that no deviation explains');
    });
  }

  it('every documented deviation is still one', () => {
    assert.deepEqual(
      DEVIATIONS.filter((_, i) => !seen.has(i)).map((d) => d.why),
      [],
    );
  });
});

/** What a decoded job says that the payload's facts decide (names, images and free texts left aside). */
function jobFacts(job: JobRecord): Record<string, unknown> {
  const { type, state, health, restarts, upToDate, replicas, port, portProtocol, publish, filelog } = job;
  const { emails, mount, retry, timeout, schedule, healthCheck } = job;
  return {
    type,
    state,
    health,
    restarts,
    upToDate,
    replicas,
    port,
    portProtocol,
    publish,
    filelog,
    emails,
    mount,
    retry,
    timeout,
    schedule,
    healthCheck: healthCheck?.type,
  };
}

function buildFacts(build: BuildRecord): Record<string, unknown> {
  return {
    state: build.state,
    hasImage: build.image !== undefined,
    imageHasDigest: build.image?.includes('@sha256:') ?? false,
    ref: build.ref === undefined ? undefined : 'set',
    started: build.startedAt !== undefined,
    finished: build.finishedAt !== undefined,
    useLatestVersions: build.useLatestVersions,
    checkTheLogs: build.message?.includes('Check the logs with `toolforge build logs') ?? false,
  };
}

/** The field names of a payload and of its nested objects (`status.short`, `parameters.ref`). */
function fieldNames(payload: Json): string[] {
  return Object.entries(payload)
    .flatMap(([key, value]) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) && key !== 'envvars'
        ? [key, ...Object.keys(value).map((k) => `${key}.${k}`)]
        : [key],
    )
    .sort();
}

/** The parts of a payload that break our contract (its job type's answer model, or `Build`). */
function brokenParts(schema: TSchema, payload: unknown): string[] {
  return wireErrors(schema, payload)
    .filter((e) => e.keyword !== 'required')
    .map(describeWireError);
}

describe('what the services send ↔ our decoder and fixtures', { skip: skipWithoutReference }, () => {
  for (const c of jobCases.filter((x) => x.reference)) {
    it(`jobs-api ${c.reference}: ${c.label}`, () => {
      const upstream = readReferenceJson(`real-payloads/${c.reference}`);
      assert.deepEqual(fieldNames(c.payload), fieldNames(upstream), 'our fixture has upstream’s fields');
      assert.deepEqual(
        c.payload.status,
        upstream.status === undefined
          ? undefined
          : { ...(upstream.status as Json), ...statusTimes(c.payload) },
      );
      assert.deepEqual(jobFacts(decodeJob(c.payload)), jobFacts(decodeJob(upstream)));
      if (typeof upstream.job_type === 'string') {
        const model = jobs.DEFINED_JOB_MODELS[upstream.job_type as jobs.WireJobType];
        assert.deepEqual(brokenParts(model, upstream), [], 'upstream’s payload fits our answer model');
      }
    });
  }
  for (const c of buildCases.filter((x) => x.reference)) {
    it(`builds-api ${c.reference}: ${c.label}`, () => {
      const upstream = readReferenceJson(`real-payloads/${c.reference}`);
      assert.deepEqual(fieldNames(c.payload), fieldNames(upstream), 'our fixture has upstream’s fields');
      assert.equal(c.payload.status, upstream.status);
      assert.deepEqual(buildFacts(decodeBuild(c.payload)), buildFacts(decodeBuild(upstream)));
      assert.deepEqual(brokenParts(builds.Build, upstream), [], 'upstream’s payload fits our Build');
    });
  }

  it('components-api’s fake builds: a success carries the image with its digest, a running build none', () => {
    const done = decodeBuild(readReferenceJson('real-payloads/b08-components-fake-get-success.json'));
    assert.equal(done.state, 'successful');
    assert.equal(done.image, 'tool-test-tool-1/component1:latest@sha256:abc123');
    const running = decodeBuild(readReferenceJson('real-payloads/b09-components-fake-get-running.json'));
    assert.equal(running.state, 'running');
    assert.equal(running.image, undefined);
  });

  it('error and update bodies fit our contract', () => {
    assert.deepEqual(
      brokenParts(jobs.ErrorBody, readReferenceJson('real-payloads/e01-jobs-error-body.json')),
      [],
    );
    assert.deepEqual(
      brokenParts(builds.ErrorBody, readReferenceJson('real-payloads/e02-builds-error-body.json')),
      [],
    );
    assert.deepEqual(
      brokenParts(jobs.UpdateResponse, readReferenceJson('real-payloads/u01-jobs-update-response.json')),
      [],
    );
  });

  it('every upstream payload has a fixture of ours', () => {
    const mirrored = new Set([...jobCases, ...buildCases].map((c) => c.reference).filter(Boolean));
    const payloads = [
      'b01-build-success-legacy-pipelinerun.json',
      'b02-build-running.json',
      'b03-build-pending-not-started.json',
      'b04-build-failure.json',
      'b05-build-timeout.json',
      'b06-build-cancelled.json',
      'b07-build-unknown.json',
      ...Array.from({ length: 14 }, (_, i) => `j${String(i + 1).padStart(2, '0')}-`),
    ];
    for (const name of payloads)
      assert.ok(
        [...mirrored].some((m) => m?.startsWith(name)),
        `no fixture mirrors ${name}`,
      );
  });
});

/** Times are the status fields our fixtures may state differently (they are times, not facts). */
function statusTimes(payload: Json): Json {
  const status = (payload.status ?? {}) as Json;
  const times = ['duration', 'previous_schedule', 'next_schedule'].filter((k) => k in status);
  return Object.fromEntries(times.map((k) => [k, status[k]]));
}

interface ShapeExample {
  readonly label: string;
  readonly request_body: Json;
  readonly get_job_include_unset_false: { job: Json };
  readonly get_job_include_unset_true: { job: Json };
}

describe(
  'jobs-api’s recorded job shapes ↔ our request and answer models',
  { skip: skipWithoutReference },
  () => {
    const examples = referencePresent
      ? readReferenceJson<{ examples: ShapeExample[] }>('examples/jobs-api.job-shapes.json').examples
      : [];
    for (const example of examples) {
      it(example.label, () => {
        // A request without job_type is typed by jobs-api from its fields; its answer always says the type.
        const type = example.get_job_include_unset_true.job.job_type as jobs.WireJobType;
        assert.deepEqual(brokenParts(jobs.NEW_JOB_MODELS[type], example.request_body), []);
        for (const answer of [example.get_job_include_unset_false, example.get_job_include_unset_true]) {
          assert.deepEqual(brokenParts(jobs.DEFINED_JOB_MODELS[type], answer.job), []);
          const job = decodeJob(answer.job);
          assert.equal(job.type, type);
          assert.equal(job.command, example.request_body.cmd);
        }
      });
    }
  },
);

interface Exchange {
  readonly label: string;
  readonly request: { readonly method: string; readonly url: string; readonly body: unknown };
  readonly status: number;
  readonly body: Json;
}

interface Detail {
  readonly type: string;
  readonly loc: readonly string[];
  readonly msg: string;
}

/**
 * Exchanges where the simulator answers as the live service does rather than as the recorded snapshot (the
 * snapshot predates `publish`; the live service reads it as a boolean, so `"/"` is still a 422, another one).
 */
const LIVE_NOT_SNAPSHOT = new Set(['patch with publish (unknown in this snapshot)']);

describe('the simulator ↔ jobs-api’s recorded exchanges', { skip: skipWithoutReference }, () => {
  const exchanges = referencePresent
    ? readReferenceJson<{ exchanges: Exchange[] }>('examples/jobs-api.http-examples.json').exchanges
    : [];
  const MODEL_OF: Record<string, string> = {
    continuous: 'NewContinuousJob',
    scheduled: 'NewScheduledJob',
    'one-off': 'NewOneOffJob',
  };
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ now: () => 1_800_000_000_000 });
  });
  beforeEach(() => sim.state.jobs.clear());
  after(() => sim.close());

  for (const exchange of exchanges) {
    it(`${exchange.label}: ${exchange.status}`, async () => {
      const { method, url, body } = exchange.request;
      const headers: Record<string, string> = {};
      if (exchange.label !== 'no header') headers['x-toolforge-tool'] = 't1';
      if (body !== null && body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${sim.url}/jobs${url}`, {
        method,
        headers,
        ...(body !== null && body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const got = (await response.json()) as Json;
      assert.equal(response.status, exchange.status);
      if (LIVE_NOT_SNAPSHOT.has(exchange.label)) return;
      if (exchange.status === 422) {
        // The recorded answer lists errors for every member of the body union; we report the chosen model's.
        const model = MODEL_OF[(body as { job_type: string }).job_type] ?? '';
        const describe = (d: Detail): string => `${d.type} ${String(d.loc.at(-1))}: ${d.msg}`;
        const expected = (exchange.body.detail as Detail[]).filter((d) => String(d.loc[1]).includes(model));
        assert.ok(expected.length > 0);
        assert.deepEqual((got.detail as Detail[]).map(describe).sort(), expected.map(describe).sort());
      } else if (exchange.label === 'post create') {
        assert.deepEqual(Object.keys(got.job as Json).sort(), Object.keys(exchange.body.job as Json).sort());
      } else if (exchange.label.includes('health check without port')) {
        const [text] = got.error as string[];
        const [expected] = exchange.body.error as string[];
        assert.equal(text?.split('input_value=')[0], expected?.split('input_value=')[0]);
      } else {
        assert.deepEqual(got, exchange.body);
      }
    });
  }
});

describe('builds-api’s quota ↔ the runtime and the simulator', { skip: skipWithoutReference }, () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ builds: { durationMs: 60_000, quota: 3, resolveRefs: 'fake' } });
  });
  after(() => sim.close());

  it('the runtime reads the documented GET …/quotas, and its answer (text numbers) as the simulator sends it', async () => {
    const doc = readReferenceYaml('builds-api.openapi.yaml');
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const quotas = paths['/v1/tool/{toolname}/quotas']?.get;
    assert.ok(quotas, 'builds-api documents GET /v1/tool/{toolname}/quotas');
    const answer = ((quotas.responses as Record<string, Json>)['200']?.content as Record<string, Json>)[
      'application/json'
    ]?.schema as Json | undefined;
    assert.equal(answer?.$ref, '#/components/schemas/QuotaResponse');
    const item = openApiResolver(doc)('#/components/schemas/QuotaCategoryItem');
    for (const field of ['limit', 'used', 'available'])
      assert.equal(((item.properties as Record<string, Json>)[field] as Json).type, 'string', field);

    const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 });
    try {
      await runtime.startBuild('t1', {
        imageName: 'web',
        repository: 'https://gitlab.example.org/t1/web',
        useLatestVersions: false,
        useDeprecatedVersions: false,
      });
      sim.resetStats();
      assert.deepEqual(await runtime.buildQuota('t1'), { limit: 3, used: 1 });
      const called = Object.keys(sim.stats().routes).map((r) => r.replace(':toolname', '{toolname}'));
      assert.deepEqual(called, ['GET /builds/v1/tool/{toolname}/quotas']);
      const raw = await fetch(`${sim.url}/builds/v1/tool/t1/quotas`, {
        headers: { 'x-toolforge-tool': 't1' },
      });
      assert.deepEqual(wireErrors(builds.QuotaResponse, await raw.json()).map(describeWireError), []);
    } finally {
      await runtime.close();
    }
  });
});

describe('one-off jobs (issue 13)', { skip: skipWithoutReference }, () => {
  let sim: Simulator;
  // The simulator's clock: a run ends `startMs` after it began, which the test lets pass by moving the clock.
  let now = Date.now();
  before(async () => {
    sim = await startSimulator({ now: () => now, jobs: { startMs: 20 } });
  });
  after(async () => {
    await sim?.close();
  });

  /** Property names of a reference schema, its `allOf` members merged. */
  function referenceFields(doc: Json, name: string): Set<string> {
    const resolve = openApiResolver(doc);
    const fields = new Set<string>();
    const visit = (node: Json): void => {
      if (typeof node.$ref === 'string') return visit(resolve(node.$ref));
      for (const part of Array.isArray(node.allOf) ? (node.allOf as Json[]) : []) visit(part);
      for (const key of Object.keys((node.properties as Json | undefined) ?? {})) fields.add(key);
    };
    visit(resolve(`#/components/schemas/${name}`));
    return fields;
  }

  it("a run is a NewOneOffJob without timeout, created again after a delete, and read as j08's status says", async () => {
    const doc = readReferenceYaml('jobs-api.openapi.yaml');
    const oneOff = referenceFields(doc, 'NewOneOffJob');
    // The reference gives `timeout` to scheduled jobs only: the executor enforces a one-off's timeout itself.
    assert.ok(!oneOff.has('timeout') && referenceFields(doc, 'NewScheduledJob').has('timeout'));
    const spec = {
      name: 'migrate',
      type: 'one-off',
      image: 'tool-t1/api:latest',
      command: 'migrate',
      retry: 2,
      timeout: 60,
    } as const;
    const body = jobUpsertBody(spec);
    assert.deepEqual(
      Object.keys(body).filter((k) => !oneOff.has(k)),
      [],
    );
    assert.equal(body.job_type, 'one-off');

    const runtime = new ToolforgeRuntime({ apiUrl: sim.url, timeoutMs: 5_000 });
    try {
      await runtime.runOnce('t1', spec);
      sim.resetStats();
      await runtime.runOnce('t1', spec);
      const called = Object.keys(sim.stats().routes);
      assert.deepEqual(called.sort(), [
        'DELETE /jobs/v1/tool/:tool_name/jobs/:id',
        'POST /jobs/v1/tool/:tool_name/jobs',
      ]);
      now += 60;
      const raw = await fetch(`${sim.url}/jobs/v1/tool/t1/jobs`, { headers: { 'x-toolforge-tool': 't1' } });
      const listed = (await raw.json()) as { jobs: Json[] };
      assert.deepEqual(wireErrors(jobs.JobListResponse, listed).map(describeWireError), []);
      const real = readReferenceJson('real-payloads/j08-oneoff-succeeded.json');
      const pattern =
        /^Last run at \S+\. Pod in 'Succeeded' phase\. State 'terminated'\. Reason 'Completed'\. Exit code '0'\.$/;
      assert.match(String(real.status_long), pattern);
      assert.match(String(listed.jobs[0]?.status_long), pattern);
      const record = decodeJob(listed.jobs[0]);
      assert.equal(record.state, 'completed');
      assert.equal(record.lastRun?.state, 'succeeded');
      assert.equal(record.lastRun?.exitCode, 0);
    } finally {
      await runtime.close();
    }
  });
});
