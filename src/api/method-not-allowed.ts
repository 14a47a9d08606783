/**
 * Starlette's 405: Fastify answers every unmatched request through the not-found handler, so that handler
 * asks the router whether the URL has a route under another method.
 */
import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The methods `url` (path and query as received) has routes for; empty for an unknown path. */
export function allowedMethods(app: FastifyInstance, url: string): string[] {
  return METHODS.filter((method) => app.findRoute({ method, url }) !== null);
}
