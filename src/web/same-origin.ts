/**
 * Cross-site request protection of the pages' actions (deploy, cancel). Every mutating request is a POST that
 * must come from one of our own pages: browsers send `Sec-Fetch-Site` (and `Origin` on every POST), which a
 * page on another site cannot forge. A request carrying neither is refused too: only a browser posts forms
 * here, and every browser that runs the dashboard's script sends them. (Tokens would add nothing this check
 * does not give, and need state per session that the local instance does not have.)
 */
import type { FastifyRequest } from 'fastify';
import { PageRefused } from './identity.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host the browser believes it talks to: the gateway's when it forwards, else ours. */
function publicHost(request: FastifyRequest): string | undefined {
  return header(request, 'x-forwarded-host') ?? header(request, 'host');
}

export function requireSameOrigin(request: FastifyRequest): void {
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin')
    throw new PageRefused(403, `Cross-site request refused (Sec-Fetch-Site: ${site})`);
  const origin = header(request, 'origin');
  if (origin === undefined) {
    if (site === 'same-origin') return;
    throw new PageRefused(403, 'Cross-site request refused (no Origin header)');
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new PageRefused(403, `Cross-site request refused (Origin: ${origin})`);
  }
  if (host !== publicHost(request))
    throw new PageRefused(403, `Cross-site request refused (Origin: ${origin})`);
}
