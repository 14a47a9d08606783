/**
 * jobs-api's wire contract (`/jobs/v1/tool/{tool_name}/…` behind the API gateway), as far as this project
 * sends or serves it: the Toolforge runtime encodes requests and decodes answers with these schemas, the
 * simulator validates requests and shapes answers with them. Field names, types, enums and patterns are
 * jobs-api's (4.11); where the running service differs from its OpenAPI document the schema follows the
 * service, and docs/upstream-compat.md#the-wire-builds-api-and-jobs-api says where and why.
 *
 * What a job's status tells, and what it does not (jobs-api's k8s status code and its tests):
 * - `status.short` is `running` as soon as a container runs; there is no readiness in it, whatever the
 *   health check says. `status.messages` is then empty.
 * - A container that crashed reads `short: "pending"` with `["restarted (<n>)", "exitcode <c>"]` (CrashLoopBackOff
 *   included), and `failed` once the Deployment has been failing past its progress deadline.
 * - Causes are in `status.messages`: `["scheduling", "<scheduler message>"]`, `["initializing", …]`,
 *   `["Unable to start, out of quota for cpu"]`, `["exitcode 1"]`.
 * - `status.up_to_date: false` means the job was changed in Kubernetes behind jobs-api's back.
 * - `status_short` / `status_long` are the older texts, kept for old clients and due to be dropped.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, NullableOneOf, ResponseMessages, StringEnum } from './schema.js';

/** A lowercase RFC 1123 subdomain (a Kubernetes object name), at most 52 characters. */
export const JOB_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const JOB_NAME_MAX_LENGTH = 52;

export type WireJobType = 'one-off' | 'scheduled' | 'continuous';

export const EmailOption = StringEnum(['none', 'all', 'onfinish', 'onfailure'] as const);
export const MountOption = StringEnum(['all', 'none'] as const, { default: 'all' });
export const PortProtocol = StringEnum(['tcp', 'udp'] as const);
export const HealthCheckType = StringEnum(['script', 'http'] as const);

export const ScriptHealthCheck = Type.Object({ type: HealthCheckType, script: Type.String() });
export const HttpHealthCheck = Type.Object({ type: HealthCheckType, path: Type.String() });

export const StatusShort = StringEnum(['pending', 'running', 'succeeded', 'failed', 'unknown'] as const);
export type StatusShortT = Static<typeof StatusShort>;

/** The fields every job has, on requests and in answers. */
const commonJob = {
  name: Type.String({ pattern: JOB_NAME_PATTERN, minLength: 1, maxLength: JOB_NAME_MAX_LENGTH }),
  imagename: Type.String({ description: 'Container image the job uses' }),
  cmd: Type.String({ description: 'Command the job runs' }),
  filelog: Type.Optional(Type.Boolean({ default: false })),
  filelog_stdout: Type.Optional(Nullable('string')),
  filelog_stderr: Type.Optional(Nullable('string')),
  emails: Type.Optional(EmailOption),
  mount: Type.Optional(MountOption),
  memory: Type.Optional(Nullable('string')),
  cpu: Type.Optional(Nullable('string')),
};

/**
 * Only runs are retried: the OpenAPI document lists `retry` among the common fields, but the service's
 * continuous models have none (a continuous job with `retry` is a 422 `extra_forbidden`).
 */
const runFields = { retry: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, default: 0 })) };

const healthCheck = NullableOneOf([ScriptHealthCheck, HttpHealthCheck]);

/** Fields only continuous jobs have. `publish` is the live service's (a boolean); its OpenAPI lacks it. */
const continuousFields = {
  continuous: Type.Optional(Type.Boolean({ description: 'Deprecated: use job_type' })),
  replicas: Type.Optional(Nullable('integer', { minimum: 1 })),
  port: Type.Optional(Nullable('integer', { minimum: 1, maximum: 65535 })),
  health_check: Type.Optional(healthCheck),
  publish: Type.Optional(Type.Boolean({ description: 'Publish the port on the tool’s web address' })),
};

const scheduledFields = {
  ...runFields,
  schedule: Type.String({ description: 'Cron expression or macro (@daily, …)' }),
  timeout: Type.Optional(Nullable('integer', { minimum: 0 })),
};

const jobType = <T extends WireJobType>(type: T) => StringEnum([type] as const);

export const NewOneOffJob = Type.Object({
  ...commonJob,
  job_type: Type.Optional(jobType('one-off')),
  ...runFields,
});
export const NewScheduledJob = Type.Object({
  ...commonJob,
  job_type: Type.Optional(jobType('scheduled')),
  ...scheduledFields,
});
export const NewContinuousJob = Type.Object({
  ...commonJob,
  job_type: Type.Optional(jobType('continuous')),
  ...continuousFields,
  port_protocol: Type.Optional(StringEnum(['tcp', 'udp'] as const, { default: 'tcp' })),
});
export type NewJobT =
  Static<typeof NewOneOffJob> | Static<typeof NewScheduledJob> | Static<typeof NewContinuousJob>;

/** The request model of each job type (POST and PATCH …/jobs). */
export const NEW_JOB_MODELS = {
  'one-off': NewOneOffJob,
  scheduled: NewScheduledJob,
  continuous: NewContinuousJob,
} as const;

const commonStatus = {
  short: StatusShort,
  messages: Type.Optional(Type.Array(Type.String())),
  // `null` right after a job is created (jobs-api's recorded answer to POST …/jobs).
  duration: Nullable('string', { description: 'How long the job has been in this status, e.g. 3h2m' }),
  up_to_date: Type.Optional(Type.Boolean()),
};
export const JobStatus = Type.Object(commonStatus);
export const ScheduledJobStatus = Type.Object({
  ...commonStatus,
  previous_schedule: Type.Optional(Nullable('string')),
  next_schedule: Type.Optional(Type.String()),
});
export type JobStatusT = Static<typeof ScheduledJobStatus>;

/** Fields jobs-api adds when it reports a job (list, get). */
const definedCommon = {
  ...commonJob,
  image: Type.Optional(Type.String()),
  image_state: Type.Optional(Type.String()),
  status_short: Type.Optional(Type.String()),
  status_long: Type.Optional(Type.String()),
};

export const DefinedOneOffJob = Type.Object({
  ...definedCommon,
  job_type: jobType('one-off'),
  ...runFields,
  status: Type.Optional(JobStatus),
});
export const DefinedScheduledJob = Type.Object({
  ...definedCommon,
  job_type: jobType('scheduled'),
  ...scheduledFields,
  schedule_actual: Type.Optional(Type.String()),
  status: Type.Optional(ScheduledJobStatus),
});
export const DefinedContinuousJob = Type.Object({
  ...definedCommon,
  job_type: jobType('continuous'),
  ...continuousFields,
  port_protocol: Type.Optional(PortProtocol),
  status: Type.Optional(JobStatus),
});
export type DefinedJobT =
  Static<typeof DefinedOneOffJob> | Static<typeof DefinedScheduledJob> | Static<typeof DefinedContinuousJob>;

/** The answer model of each job type. */
export const DEFINED_JOB_MODELS = {
  'one-off': DefinedOneOffJob,
  scheduled: DefinedScheduledJob,
  continuous: DefinedContinuousJob,
} as const;

const DefinedJob = Type.Union([DefinedOneOffJob, DefinedScheduledJob, DefinedContinuousJob]);

export const JobListResponse = Type.Object({
  jobs: Type.Optional(Type.Array(DefinedJob)),
  messages: Type.Optional(ResponseMessages),
});
export const JobResponse = Type.Object({
  job: Type.Optional(DefinedJob),
  messages: Type.Optional(ResponseMessages),
});
export const UpdateResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  job_changed: Type.Optional(Type.Boolean()),
});
export type UpdateResponseT = Static<typeof UpdateResponse>;
/** Answer of restart, delete and flush. */
export const MessagesResponse = Type.Object({ messages: Type.Optional(ResponseMessages) });

export const HealthResponse = Type.Object({
  health: Type.Optional(
    Type.Object({
      status: Type.Optional(StringEnum(['OK', 'ERROR'] as const)),
      message: Type.Optional(Type.String()),
    }),
  ),
  messages: Type.Optional(ResponseMessages),
});

/** jobs-api's own errors (400, 403, 404, 409): the reasons in `error` (its handler sends no other list). */
export const ErrorBody = ResponseMessages;

/** FastAPI's 422: one pydantic error per problem. */
export const ValidationErrorBody = Type.Object({
  detail: Type.Array(
    Type.Object({
      type: Type.String(),
      loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
      msg: Type.String(),
      input: Type.Optional(Type.Unknown()),
      ctx: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ),
});
export type ValidationErrorBodyT = Static<typeof ValidationErrorBody>;
