/**
 * `GET /v1/tool/{t}/status` (ours): the tool's builds and jobs mapped to its config (`ToolStatus`,
 * src/status/tool-status.ts), plus whether the stored config is what the last successful deployment deployed.
 * camelCase, as the rest of our own routes' payloads.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BUILD_STATES, JOB_HEALTH, JOB_STATES, JOB_TYPES, ONE_OFF_RUN_STATES } from '../observed-state.js';
import { COMPONENT_TYPES, EMAIL_MODES, MOUNT_MODES, PORT_PROTOCOLS } from '../tool-config.js';
import { OneOf, List } from './kit.js';
import { HealthCheckJson } from './plan-json.js';

/** What a component's job is to its config; only ever added to. */
export const COMPONENT_STATUSES = ['managed', 'drifted', 'missing', 'orphaned', 'unmanaged'] as const;

const Text = Type.Optional(Type.String());

export const BuildRecordJson = Type.Object({
  id: Type.String(),
  imageName: Type.String(),
  image: Type.Optional(Type.String({ description: 'Set once the build has produced an image' })),
  repository: Type.String(),
  ref: Text,
  resolvedCommit: Text,
  useLatestVersions: Type.Boolean(),
  useDeprecatedVersions: Type.Boolean(),
  envvars: Type.Optional(Type.Record(Type.String(), Type.String())),
  state: OneOf(BUILD_STATES),
  message: Text,
  startedAt: Text,
  finishedAt: Text,
});

export const OneOffRunJson = Type.Object({
  state: OneOf(ONE_OFF_RUN_STATES),
  startedAt: Text,
  finishedAt: Text,
  exitCode: Type.Optional(Type.Integer()),
  message: Text,
  attempts: Type.Optional(Type.Integer()),
});

export const JobRecordJson = Type.Object({
  name: Type.String(),
  type: OneOf(JOB_TYPES),
  image: Type.String(),
  state: OneOf(JOB_STATES),
  health: OneOf(JOB_HEALTH),
  command: Type.String(),
  schedule: Text,
  cpu: Text,
  memory: Text,
  emails: Type.Optional(OneOf(EMAIL_MODES)),
  filelog: Type.Optional(Type.Boolean()),
  filelogStdout: Text,
  filelogStderr: Text,
  mount: Type.Optional(OneOf(MOUNT_MODES)),
  port: Type.Optional(Type.Number()),
  portProtocol: Type.Optional(OneOf(PORT_PROTOCOLS)),
  publish: Text,
  replicas: Type.Optional(Type.Number()),
  healthCheck: Type.Optional(HealthCheckJson),
  retry: Type.Optional(Type.Number()),
  timeout: Type.Optional(Type.Number()),
  readyReplicas: Type.Optional(Type.Number()),
  restarts: Type.Optional(Type.Number()),
  runningForMs: Type.Optional(Type.Number()),
  upToDate: Type.Optional(Type.Boolean()),
  message: Text,
  healthReason: Text,
  url: Text,
  lastRun: Type.Optional(OneOffRunJson),
});

/** A field where the live job differs from the config; an unset side is left out. */
export const DriftJson = Type.Object({
  field: Type.String(),
  before: Type.Optional(Type.Unknown({ description: 'Live' })),
  after: Type.Optional(Type.Unknown({ description: 'Config' })),
});

export const ComponentStatusJson = Type.Object({
  name: Type.String(),
  status: OneOf(COMPONENT_STATUSES),
  type: Type.Optional(OneOf(COMPONENT_TYPES, 'From the config; absent for orphaned and unmanaged jobs')),
  job: Type.Optional(JobRecordJson),
  drift: Type.Optional(List(DriftJson, { description: '`drifted` only' })),
  latestBuild: Type.Optional(BuildRecordJson),
});

const Count = Type.Integer({ minimum: 0 });

export const ToolStatusJson = Type.Object({
  tool: Type.String(),
  observedAt: Type.String(),
  builds: List(BuildRecordJson, { description: 'Newest first' }),
  jobs: List(JobRecordJson, { description: 'By name' }),
  components: List(ComponentStatusJson, {
    description: 'Config order, then orphaned, then unmanaged',
  }),
  counts: Type.Object({
    managed: Count,
    drifted: Count,
    missing: Count,
    orphaned: Count,
    unmanaged: Count,
  }),
  undeployedChanges: Type.Boolean({
    description: 'The stored config differs from what the last successful deployment deployed',
  }),
  lastSuccessfulDeployment: Type.Optional(Type.String()),
});
export type ToolStatusJsonT = Static<typeof ToolStatusJson>;
export type ComponentStatusJsonT = Static<typeof ComponentStatusJson>;
export type JobRecordJsonT = Static<typeof JobRecordJson>;
