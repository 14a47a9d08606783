/**
 * Who may see which tool's pages. The same rule as the API (src/api/auth.ts): behind the API gateway the tool
 * comes from its `x-toolforge-tool` header and a page for any other tool is refused (403). The local instance
 * has no gateway and no login: a request without the header is let in only when the runtime is the local one,
 * the request came over loopback and it names a loopback host (so a web page elsewhere cannot reach it through
 * a DNS name pointed at 127.0.0.1), and then every tool of the instance is visible.
 */
import type { FastifyRequest } from 'fastify';
import { TOOL_HEADER } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import { isValidToolName } from '../api/tool-name.js';

export class PageRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'PageRefused';
  }
}

/** `gateway`: only the tool its header names; `local`: the local instance's viewer, who sees every tool. */
export type Viewer = { readonly kind: 'gateway'; readonly tool: string } | { readonly kind: 'local' };

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function headerTool(request: FastifyRequest): string | undefined {
  const value = request.headers[TOOL_HEADER];
  const tool = Array.isArray(value) ? value[0] : value;
  return tool === undefined || tool === '' ? undefined : tool;
}

function hostName(request: FastifyRequest): string {
  const host = request.headers.host ?? '';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}

export function viewerOf(ctx: ApiContext, request: FastifyRequest): Viewer {
  const tool = headerTool(request);
  if (tool !== undefined) return { kind: 'gateway', tool };
  const local =
    ctx.runtime.name === 'local' &&
    LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? '') &&
    LOOPBACK_HOSTS.has(hostName(request));
  if (!local) throw new PageRefused(401, `The '${TOOL_HEADER}' header is required`);
  return { kind: 'local' };
}

/** The tool of a `/tools/<tool>/…` page, once the viewer may see it. */
export function pageTool(ctx: ApiContext, request: FastifyRequest): { tool: string; viewer: Viewer } {
  const tool = (request.params as { tool?: string }).tool ?? '';
  if (!isValidToolName(tool)) throw new PageRefused(404, `No tool named "${tool}"`);
  const viewer = viewerOf(ctx, request);
  if (viewer.kind === 'gateway' && viewer.tool !== tool)
    throw new PageRefused(403, `You are signed in as tool '${viewer.tool}', not '${tool}'`);
  return { tool, viewer };
}

/** Headers for calling the API from a page: the identity the page was let in with. */
export function apiHeaders(tool: string, request: FastifyRequest): Record<string, string> {
  const user = request.headers['x-toolforge-user'];
  return {
    [TOOL_HEADER]: tool,
    ...(typeof user === 'string' && user !== '' ? { 'x-toolforge-user': user } : {}),
  };
}
