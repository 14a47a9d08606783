/**
 * GET /v1/tool/{t}/deployment/{id}/events: Server-Sent Events of the deployment's stored events (`id:` = seq,
 * so `Last-Event-ID` resumes after it), then new ones as they are stored, then one `end` event once the
 * deployment is final. It reads the store (every `pollIntervalMs`), so it follows a deployment whichever
 * replica executes it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import type { DeploymentEvent } from '../../model/deployment.js';
import { findDeployment, isFinal, sleep } from '../deployments-service.js';
import { openEventStream } from '../event-stream.js';
import { requestSignal } from '../request-signal.js';
import { DeploymentParams, EventsHeaders, TokenQuery } from '../schemas.js';
import { DeploymentStreamEventJson, type EndEventJsonT } from '../../model/wire/deployment-events.js';
import { ErrorEnvelope } from '../../model/wire/envelope.js';

const FINAL_EVENT_GRACE_MS = 1000;

function eventFrame(event: DeploymentEvent): string {
  // The `data:` of a TaskEventJson or DeploymentEventJson (src/model/wire/deployment-events.ts).
  const data = {
    seq: event.seq,
    at: event.at,
    type: event.type,
    state: event.state,
    ...(event.taskId !== undefined ? { task: event.taskId } : {}),
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
  };
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams a deployment's events on `reply` (hijacked) until it is final, the client goes away or the server
 * closes. The caller has checked who may read `tool`; the dashboard's pages follow deployments through it too.
 */
export async function streamDeploymentEvents(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  tool: string,
  deploymentId: string,
): Promise<void> {
  // Errors (404, auth) are answered as JSON before the stream starts.
  const deployment = await findDeployment(ctx, tool, deploymentId, true);
  const lastEventId = request.headers['last-event-id'];
  const resumeFrom = Number.parseInt(typeof lastEventId === 'string' ? lastEventId : '0', 10);
  let lastSeq = Number.isFinite(resumeFrom) && resumeFrom > 0 ? resumeFrom : 0;

  const signal = requestSignal(request, reply, ctx);
  const out = openEventStream(reply);
  out.write(`retry: ${Math.max(ctx.limits.pollIntervalMs * 5, 1000)}\n\n`);
  // State of the last deployment event sent: the final one may already be out before the grace loop.
  let lastDeploymentState: string | undefined;
  try {
    for (;;) {
      for (const event of await ctx.store.listEvents(deployment.id, lastSeq)) {
        out.write(eventFrame(event));
        lastSeq = event.seq;
        if (event.type === 'deployment') lastDeploymentState = event.state;
      }
      const current = await ctx.store.getDeployment(tool, deployment.id);
      if (!current || isFinal(current)) {
        // The executor may store the final state just before its final event: give that event a moment
        // to arrive so a client always sees the last transition before the end marker.
        const graceUntil = Date.now() + FINAL_EVENT_GRACE_MS;
        let sawFinalEvent = current !== undefined && lastDeploymentState === current.state;
        do {
          for (const event of await ctx.store.listEvents(deployment.id, lastSeq)) {
            out.write(eventFrame(event));
            lastSeq = event.seq;
            if (event.type === 'deployment' && event.state === current?.state) sawFinalEvent = true;
          }
          if (!sawFinalEvent && current) await sleep(ctx.limits.pollIntervalMs, signal);
        } while (current && !sawFinalEvent && Date.now() < graceUntil && !signal.aborted);
        const end: EndEventJsonT = {
          state: current?.state ?? 'deleted',
          long_status: current?.longStatus ?? '',
        };
        out.write(`event: end\ndata: ${JSON.stringify(end)}\n\n`);
        break;
      }
      if (signal.aborted) break;
      await sleep(ctx.limits.pollIntervalMs, signal);
      if (signal.aborted) break;
    }
  } catch (error) {
    request.log.error({ err: error }, 'event stream failed');
  } finally {
    out.end();
  }
}

export const eventsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  app.get(
    '/v1/tool/:toolname/deployment/:deployment_id/events',
    {
      config: { auth: 'header-or-token' },
      schema: {
        tags: ['plan'],
        summary: 'Stream Deployment Events',
        description:
          'text/event-stream of every task and deployment transition; resumable with Last-Event-ID; ends with an `end` event when the deployment is final.',
        params: DeploymentParams,
        querystring: TokenQuery,
        headers: EventsHeaders,
        response: {
          200: {
            description: 'One event per transition (`event:` task or deployment, `id:` its seq), then `end`',
            content: { 'text/event-stream': { schema: DeploymentStreamEventJson } },
          },
          '4xx': ErrorEnvelope,
        },
      },
    },
    async (request, reply) =>
      streamDeploymentEvents(ctx, request, reply, request.params.toolname, request.params.deployment_id),
  );
};
