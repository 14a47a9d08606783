/**
 * Follows a deployment until it is final: the events stream (resumed with Last-Event-ID after a drop), or
 * polling GET /deployment/{id} when the server has no events route. Stops early, quietly, when `signal` aborts
 * (the user stopped watching). Rendering is the caller's, through `onProgress`.
 */
import type { ComponentsApiClient } from './api-client.js';
import { DeploymentJson, type DeploymentJsonT } from '../model/wire/deployment-json.js';
import { ComponentsApiError, ComponentsClientError } from './client-errors.js';
import {
  applyEvent,
  isFinished,
  parseProgressEvent,
  progressFromDeployment,
  type DeployProgress,
} from './views/deploy-progress.js';

export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly onProgress: (progress: DeployProgress) => void;
  readonly pollIntervalMs?: number;
  /** Consecutive failed reconnects before giving up. */
  readonly maxRetries?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function fetchDeployment(client: ComponentsApiClient, id: string): Promise<DeploymentJsonT> {
  const path = `/deployment/${encodeURIComponent(id)}`;
  return (await client.call('GET', path, { answer: DeploymentJson })).data;
}

/**
 * Reads the stream until it ends. 'ended' when the server sent its `end` event (the deployment is over: the
 * caller reads the final record), 'dropped' when the connection ended without it.
 */
async function readStream(
  client: ComponentsApiClient,
  start: DeployProgress,
  options: FollowOptions,
): Promise<'ended' | 'dropped' | 'unavailable'> {
  let progress = start;
  const stream = await client.openEvents(progress.deploymentId, {
    ...(progress.lastSeq !== undefined ? { lastEventId: String(progress.lastSeq) } : {}),
    signal: options.signal,
  });
  if (stream.kind === 'unavailable') return 'unavailable';
  for await (const message of stream.events) {
    const event = parseProgressEvent(message);
    if (!event) continue;
    progress = applyEvent(progress, event);
    options.onProgress(progress);
    if (event.kind === 'end') return 'ended';
  }
  return 'dropped';
}

export async function followDeployment(
  client: ComponentsApiClient,
  initial: DeployProgress,
  options: FollowOptions,
): Promise<DeployProgress> {
  const pollMs = options.pollIntervalMs ?? 1000;
  const maxRetries = options.maxRetries ?? 8;
  let progress = initial;
  // Every applied event is kept here at once, so a stream that breaks midway resumes after its last event.
  const tracked: FollowOptions = {
    ...options,
    onProgress: (p) => {
      progress = p;
      options.onProgress(p);
    },
  };
  let useEvents = true;
  let failures = 0;
  while (!isFinished(progress) && !options.signal.aborted) {
    try {
      if (useEvents) {
        const before = progress.lastSeq;
        const result = await readStream(client, progress, tracked);
        if (result === 'unavailable') {
          useEvents = false;
          continue;
        }
        if (result === 'ended') break;
        // A stream that ended before the deployment did was dropped: resume after a short pause.
        failures = progress.lastSeq !== before ? 0 : failures + 1;
        if (!isFinished(progress)) await sleep(Math.min(250 * 2 ** failures, 5000), options.signal);
      } else {
        const deployment = await fetchDeployment(client, progress.deploymentId);
        progress = progressFromDeployment(progress.tool, deployment, progress.lastSeq);
        options.onProgress(progress);
        failures = 0;
        if (!isFinished(progress)) await sleep(pollMs, options.signal);
      }
      if (failures > maxRetries)
        throw new ComponentsClientError(`Lost the event stream of deployment ${progress.deploymentId}`);
    } catch (error) {
      if (options.signal.aborted) break;
      if (error instanceof ComponentsApiError) throw error; // 4xx: deleted, forbidden… retrying will not help
      failures += 1;
      if (failures > maxRetries) throw error;
      await sleep(Math.min(250 * 2 ** failures, 5000), options.signal);
    }
  }
  return progress;
}
