/**
 * Authentication as upstream does it (docs/upstream-compat.md#authentication), with one hardening: the gateway-set `x-toolforge-tool` header must
 * name the tool in the path (403 otherwise), so no route can reach another tool's data. A deploy token is
 * compared with its stored sha256 in constant time (the sealed copy that lets GET show it, see token-keyring.ts,
 * is never needed to authenticate, so a server without the key still accepts valid tokens).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import { apiError } from './api-errors.js';
import { isValidToolName } from './tool-name.js';

export const TOOL_HEADER = 'x-toolforge-tool';
/** Set by the API gateway to the authenticated user; deployment events name them (`user_name`). */
export const USER_HEADER = 'x-toolforge-user';
const MAX_USER_LENGTH = 255;

/** The requesting user as `createDeployment` options take it (nothing when the header is absent). */
export function requestUser(request: FastifyRequest): { user?: string } {
  const value = request.headers[USER_HEADER];
  const user = (Array.isArray(value) ? value[0] : value)?.trim();
  return user ? { user: user.slice(0, MAX_USER_LENGTH) } : {};
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function headerTool(request: FastifyRequest): string | undefined {
  const value = request.headers[TOOL_HEADER];
  const tool = Array.isArray(value) ? value[0] : value;
  return tool === undefined || tool === '' ? undefined : tool;
}

function pathTool(request: FastifyRequest): string {
  return (request.params as { toolname?: string }).toolname ?? '';
}

function queryToken(request: FastifyRequest): string | undefined {
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

function checkHeader(header: string, tool: string): void {
  if (header !== tool) throw apiError('CMP_ERR_TOOL_MISMATCH', header, tool);
}

/**
 * The stored token comes through the tool cache (tool-cache.ts): a token deleted or replaced through this server
 * stops working at once, one revoked through another replica within the cache's maximum age (1 s).
 */
async function checkToken(ctx: ApiContext, tool: string, token: string): Promise<void> {
  const stored = await ctx.tools.token(tool);
  if (!stored) throw apiError('CMP_ERR_NO_TOKEN_YET', tool);
  const given = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw apiError('CMP_ERR_TOKEN_MISMATCH', token);
  }
  if (Date.parse(stored.createdAt) + ctx.limits.tokenLifetimeMs < ctx.now().getTime()) {
    throw apiError('CMP_ERR_TOKEN_EXPIRED', token);
  }
}

/** onRequest hook of the tool routes: a path naming no possible Toolforge tool is a 422 (upstream's status). */
export async function checkToolParam(request: FastifyRequest): Promise<void> {
  const tool = pathTool(request);
  if (!isValidToolName(tool)) throw apiError('CMP_ERR_INVALID_TOOL_NAME', tool);
}

/** preValidation hook: runs after body parsing (bad JSON is a 422 first, as upstream) and before validation. */
export async function authenticate(ctx: ApiContext, request: FastifyRequest): Promise<void> {
  const mode = request.routeOptions.config.auth ?? 'header';
  if (mode === 'none') return;
  const tool = pathTool(request);
  const header = headerTool(request);
  if (header !== undefined) return checkHeader(header, tool);
  if (mode === 'header') throw apiError('CMP_ERR_HEADER_REQUIRED');
  const token = queryToken(request);
  if (token === undefined) throw apiError('CMP_ERR_HEADER_OR_TOKEN_REQUIRED');
  await checkToken(ctx, tool, token);
}
