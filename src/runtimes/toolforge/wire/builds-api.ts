/**
 * builds-api's wire contract (`/builds/v1/tool/{toolname}/…` behind the API gateway), as far as this project
 * sends or serves it: the Toolforge runtime encodes requests and decodes answers with these schemas, the
 * simulator validates requests and shapes answers with them. Field names, types and enums are builds-api's
 * (2.4); where the running service differs from its OpenAPI document the schema follows the service, and
 * docs/upstream-compat.md#the-wire-builds-api-and-jobs-api says where and why.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, ResponseMessages, StringEnum } from './schema.js';

export const BUILDS_API_STATUSES = [
  'BUILD_PENDING',
  'BUILD_RUNNING',
  'BUILD_SUCCESS',
  'BUILD_FAILURE',
  'BUILD_CANCELLED',
  'BUILD_TIMEOUT',
  'BUILD_UNKNOWN',
] as const;
export const BuildStatus = StringEnum(BUILDS_API_STATUSES);
export type BuildsApiStatus = Static<typeof BuildStatus>;

/**
 * What a build is started with (POST …/builds), and what a build reports it was started with. `ref` may be
 * `null`: upstream components-api sends `"ref": null` when the config has no ref, and builds-api (Go) reads it
 * as "no ref" (the default branch).
 */
export const BuildParameters = Type.Object({
  source_url: Type.String({ description: 'URL of the public git repository to build' }),
  ref: Type.Optional(Nullable('string', { description: 'Git reference to build (default: HEAD)' })),
  envvars: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: 'Build-time environment variables' }),
  ),
  image_name: Type.Optional(Type.String({ description: 'Name of the image to build' })),
  use_latest_versions: Type.Optional(Type.Boolean({ default: false })),
  use_deprecated_versions: Type.Optional(Type.Boolean({ default: false })),
});
export type BuildParametersT = Static<typeof BuildParameters>;

export const NewBuild = Type.Object({
  name: Type.Optional(Type.String()),
  resolved_ref: Type.Optional(Type.String()),
  parameters: Type.Optional(BuildParameters),
});

export const StartResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  new_build: Type.Optional(NewBuild),
});

/**
 * A build as list/get/latest report it. Facts the OpenAPI document does not tell (builds-api's getBuild):
 * - a parameter the PipelineRun lacks reads `"unknown"` (older builds: `parameters.ref`);
 * - `start_time` / `end_time` are `""` until set;
 * - `destination_image` is the image tag (`…/tool-t/web:latest`) until the build succeeds, and only then
 *   carries the pushed digest (`…:latest@sha256:…`), so a tag alone is no evidence of an image;
 * - `message` is Tekton's condition text, with ``. Check the logs with `toolforge build logs <id>` `` appended
 *   when the build did not succeed.
 */
export const Build = Type.Object({
  build_id: Type.Optional(Type.String()),
  status: Type.Optional(BuildStatus),
  message: Type.Optional(Type.String()),
  start_time: Type.Optional(Type.String()),
  end_time: Type.Optional(Type.String()),
  parameters: Type.Optional(BuildParameters),
  destination_image: Type.Optional(Type.String()),
  resolved_ref: Type.Optional(Type.String()),
});
export type BuildT = Static<typeof Build>;

/** The value builds-api reports for a PipelineRun parameter it cannot find. */
export const UNKNOWN_PARAMETER = 'unknown';

export const ListResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  builds: Type.Optional(Type.Array(Build)),
});
export const GetResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  build: Type.Optional(Build),
});
/** Answer of cancel and delete: the build's id. */
export const IdResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  id: Type.Optional(Type.String()),
});
export const CleanResponse = Type.Object({ messages: Type.Optional(ResponseMessages) });

/** One line of GET …/logs (newline-separated JSON objects). */
export const BuildLog = Type.Object({ line: Type.Optional(Type.String()) });

/**
 * `GET …/quotas`. Every number is text (`"8"`, `"1.00Gi"`, `"Unlimited"`). The OpenAPI document names no
 * categories; see `../build-quota.ts` for how the build limit is found among them.
 */
export const QuotaCategoryItem = Type.Object({
  name: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String()),
  used: Type.Optional(Type.String()),
  available: Type.Optional(Type.String()),
  capacity: Type.Optional(Type.String()),
});
export const QuotaCategory = Type.Object({
  name: Type.Optional(Type.String()),
  items: Type.Optional(Type.Array(QuotaCategoryItem)),
});
export const Quota = Type.Object({ categories: Type.Optional(Type.Array(QuotaCategory)) });
export const QuotaResponse = Type.Object({
  messages: Type.Optional(ResponseMessages),
  quota: Type.Optional(Quota),
});

export const HealthResponse = Type.Object({
  status: Type.Optional(StringEnum(['OK', 'ERROR'] as const)),
  messages: Type.Optional(ResponseMessages),
});

/** Every builds-api error (400, 401, 404, 409, 500) is a ResponseMessages with the reason in `error`. */
export const ErrorBody = ResponseMessages;
