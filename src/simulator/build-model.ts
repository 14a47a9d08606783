/**
 * A simulated builds-api build. Its status is a pure function of the clock (start time, queue time, duration,
 * cancellation), so nothing runs in the background and a virtual clock works as well as the real one. What it
 * reports is what builds-api reports (`../wire/builds-api.ts`): Tekton's condition texts, `start_time` empty
 * until the build runs, and the image tag as `destination_image` until the build succeeds, with the pushed
 * digest only after.
 */
import { createHash } from 'node:crypto';
import type { BuildsApiStatus, BuildT } from '../runtimes/toolforge/wire/builds-api.js';

/** What a build was started with (builds-api fills in `image_name`, the flags and `envvars`). */
export interface SimBuildParameters {
  readonly source_url: string;
  readonly ref?: string;
  readonly image_name: string;
  readonly use_latest_versions: boolean;
  readonly use_deprecated_versions: boolean;
  readonly envvars: Readonly<Record<string, string>>;
}

export interface SimBuild {
  readonly id: string;
  readonly tool: string;
  readonly parameters: SimBuildParameters;
  readonly resolvedRef: string;
  readonly startMs: number;
  readonly queueMs: number;
  readonly durationMs: number;
  readonly fails: boolean;
  cancelledAtMs?: number;
}

export const HARBOR = 'tools-harbor.wmcloud.org';

export function buildStatus(build: SimBuild, now: number): BuildsApiStatus {
  if (build.cancelledAtMs !== undefined) return 'BUILD_CANCELLED';
  if (now < build.startMs + build.queueMs) return 'BUILD_PENDING';
  if (now < build.startMs + build.durationMs) return 'BUILD_RUNNING';
  return build.fails ? 'BUILD_FAILURE' : 'BUILD_SUCCESS';
}

export function isBuildActive(build: SimBuild, now: number): boolean {
  const status = buildStatus(build, now);
  return status === 'BUILD_PENDING' || status === 'BUILD_RUNNING';
}

/** RFC 3339 like builds-api's, with milliseconds so that builds started within one second still sort. */
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The tag a build pushes (`tools-harbor.wmcloud.org/tool-<tool>/<image>:latest`). */
export function imageTag(build: SimBuild): string {
  return `${HARBOR}/tool-${build.tool}/${build.parameters.image_name}:latest`;
}

/** The image a successful build pushed; the digest is derived from the build id, so every build's differs. */
export function destinationImage(build: SimBuild): string {
  const digest = createHash('sha256').update(build.id).digest('hex');
  return `${imageTag(build)}@sha256:${digest}`;
}

const checkLogs = (build: SimBuild): string => `. Check the logs with \`toolforge build logs ${build.id}\``;

/** builds-api's message: Tekton's condition text, plus the hint to the logs when the build did not succeed. */
function message(build: SimBuild, status: BuildsApiStatus): string {
  switch (status) {
    case 'BUILD_PENDING':
      return `build status is pending and it might not have started running yet${checkLogs(build)}`;
    case 'BUILD_RUNNING':
      return 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0';
    case 'BUILD_SUCCESS':
      return 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0';
    case 'BUILD_FAILURE':
      return `Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1${checkLogs(build)}`;
    case 'BUILD_CANCELLED':
      return `PipelineRun "${build.id}" was cancelled${checkLogs(build)}`;
    case 'BUILD_TIMEOUT':
      return `PipelineRun "${build.id}" failed to finish within "1h0m0s"${checkLogs(build)}`;
    case 'BUILD_UNKNOWN':
      return `build status is unknown${checkLogs(build)}`;
  }
}

/** The builds-api `Build` object as the list/get routes return it. */
export function buildView(build: SimBuild, now: number): BuildT {
  const status = buildStatus(build, now);
  const runningAt = build.startMs + build.queueMs;
  const end =
    build.cancelledAtMs ??
    (status === 'BUILD_SUCCESS' || status === 'BUILD_FAILURE' ? build.startMs + build.durationMs : undefined);
  return {
    build_id: build.id,
    status,
    message: message(build, status),
    start_time: status === 'BUILD_PENDING' && build.cancelledAtMs === undefined ? '' : iso(runningAt),
    end_time: end === undefined ? '' : iso(end),
    parameters: { ...build.parameters, ref: build.parameters.ref ?? '' },
    destination_image: status === 'BUILD_SUCCESS' ? destinationImage(build) : imageTag(build),
    resolved_ref: build.resolvedRef,
  };
}

export function buildLogLines(build: SimBuild, now: number): string[] {
  const status = buildStatus(build, now);
  const lines = [
    `[step-clone] Cloning ${build.parameters.source_url} at ${build.resolvedRef}`,
    `[step-build] Building image ${build.parameters.image_name}`,
  ];
  if (status === 'BUILD_SUCCESS') lines.push(`[step-export] Pushed ${destinationImage(build)}`);
  if (status === 'BUILD_FAILURE') lines.push('[step-build] ERROR: failed to build: exit status 1');
  if (status === 'BUILD_CANCELLED') lines.push('[step-build] cancelled');
  return lines;
}

/** A stable fake commit for repositories the simulator does not contact. */
export function fakeCommit(repository: string, ref: string | undefined): string {
  return createHash('sha1')
    .update(`${repository}#${ref ?? 'HEAD'}`)
    .digest('hex');
}
