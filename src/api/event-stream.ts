/** Server-sent events: the response a stream (deployment events, a live log) answers with. */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the response from Fastify (a stream is written as it goes, not serialized) and sends the event-stream
 * headers: never cached, and not buffered by a proxy in front (nginx honours `x-accel-buffering`), so every
 * event reaches the client when it is written.
 */
export function openEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  return out;
}
