/** An AbortSignal that fires when the client disconnects or the server shuts down: ends long-polls and streams. */
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';

export function requestSignal(request: FastifyRequest, ctx: ApiContext): AbortSignal {
  const controller = new AbortController();
  const socket = request.raw.socket;
  if (!socket || socket.destroyed) controller.abort();
  else socket.once('close', () => controller.abort());
  return AbortSignal.any([controller.signal, ctx.shutdown]);
}
