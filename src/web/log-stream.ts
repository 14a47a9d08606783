/**
 * The log panel's feed: Server-Sent Events of one component's build log or job log, one `line` event per log
 * line, then `end` (or `problem` with a sentence when there is no such log). A job log is followed as the
 * runtime streams it; a build log is read again while the build runs, sending only the lines not yet sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/context.js';
import { sleep } from '../api/deployments-service.js';
import { openEventStream } from '../api/event-stream.js';
import { requestSignal } from '../api/request-signal.js';
import type { BuildRecord } from '../model/observed-state.js';

const BUILD_POLL_MS = 1000;
const RUNNING_BUILD_STATES = new Set(['pending', 'running', 'unknown']);

function newest(builds: readonly BuildRecord[], imageName: string): BuildRecord | undefined {
  const time = (b: BuildRecord): string => b.startedAt ?? b.finishedAt ?? '';
  return builds
    .filter((b) => b.imageName === imageName)
    .reduce<BuildRecord | undefined>((best, b) => (!best || time(b) >= time(best) ? b : best), undefined);
}

type Send = (event: 'line' | 'problem' | 'end', data: string) => void;

async function followBuild(
  ctx: ApiContext,
  tool: string,
  component: string,
  send: Send,
  signal: AbortSignal,
): Promise<void> {
  const { runtime } = ctx;
  let sent = 0;
  while (!signal.aborted) {
    const { builds } = await runtime.observe(tool, { parts: ['builds'] });
    const build = newest(builds, component);
    if (!build || !runtime.buildLogs) return send('problem', `${component} has no build log`);
    const lines = await runtime.buildLogs(tool, build.id, { signal });
    for (const line of lines.slice(sent)) send('line', line);
    sent = Math.max(sent, lines.length);
    if (!RUNNING_BUILD_STATES.has(build.state)) return;
    await sleep(BUILD_POLL_MS, signal);
  }
}

async function followJob(
  ctx: ApiContext,
  tool: string,
  component: string,
  send: Send,
  signal: AbortSignal,
): Promise<void> {
  const { runtime } = ctx;
  if (!runtime.jobLogs) return send('problem', 'this runtime has no job logs');
  for await (const line of runtime.jobLogs(tool, component, { follow: true, signal })) send('line', line);
}

export async function streamComponentLog(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tool: string,
  component: string,
  kind: 'build' | 'job',
): Promise<void> {
  const signal = requestSignal(request, reply, ctx);
  const out = openEventStream(reply);
  const send: Send = (event, data) => {
    if (!out.writableEnded) out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    await (kind === 'build' ? followBuild : followJob)(ctx, tool, component, send, signal);
    send('end', '');
  } catch (error) {
    if (!signal.aborted) send('problem', error instanceof Error ? error.message : String(error));
  } finally {
    out.end();
  }
}
