/**
 * A simulated builds-api build. Its status is a pure function of the clock (start time, queue time, duration,
 * cancellation), so nothing runs in the background and a virtual clock works as well as the real one.
 */
import { createHash } from 'node:crypto';
import type { BuildsApiStatus } from '../toolforge-decode.js';
import type { BuildStartBody } from '../toolforge-encode.js';

export interface SimBuild {
  readonly id: string;
  readonly tool: string;
  /** What the build was started with: the same body our runtime sends. */
  readonly parameters: BuildStartBody;
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

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The image a successful build pushes; the digest is derived from the build id, so every build's differs. */
export function destinationImage(build: SimBuild): string {
  const digest = createHash('sha256').update(build.id).digest('hex');
  return `${HARBOR}/tool-${build.tool}/${build.parameters.image_name}:latest@sha256:${digest}`;
}

const MESSAGES: Record<BuildsApiStatus, string> = {
  BUILD_PENDING: 'Pending',
  BUILD_RUNNING: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0',
  BUILD_SUCCESS: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
  BUILD_FAILURE: 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0',
  BUILD_CANCELLED: 'PipelineRun was cancelled',
  BUILD_TIMEOUT: 'PipelineRun timed out',
  BUILD_UNKNOWN: 'Unknown',
};

/** The builds-api `Build` object as the list/get routes return it. */
export function buildView(build: SimBuild, now: number): Record<string, unknown> {
  const status = buildStatus(build, now);
  const end =
    build.cancelledAtMs ??
    (status === 'BUILD_SUCCESS' || status === 'BUILD_FAILURE' ? build.startMs + build.durationMs : undefined);
  return {
    build_id: build.id,
    status,
    message: MESSAGES[status],
    start_time: iso(build.startMs),
    end_time: end === undefined ? '' : iso(end),
    parameters: { ...build.parameters, ref: build.parameters.ref ?? '' },
    destination_image: status === 'BUILD_SUCCESS' ? destinationImage(build) : '',
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
