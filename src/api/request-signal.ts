/** An AbortSignal that fires when the client disconnects or the server shuts down: ends long-polls and streams. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';

export function requestSignal(request: FastifyRequest, reply: FastifyReply, ctx: ApiContext): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  if (request.raw.socket?.destroyed) controller.abort();
  // The response's own `close` (not the socket's): a keep-alive socket outlives its requests, so listeners put
  // on it by every long-poll would pile up. Closed before it finished = the client went away.
  else response.once('close', () => response.writableFinished || controller.abort());
  return AbortSignal.any([controller.signal, ctx.shutdown]);
}
