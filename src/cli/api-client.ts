/**
 * HTTP client of the components-api (upstream's routes plus ours: status, deploy, events), over undici. Every
 * answer is upstream's envelope `{data, messages}`; failures become ComponentsApiError (4xx) or
 * ComponentsClientError (5xx, service down, unreadable answer) with upstream's texts.
 */
import { userInfo } from 'node:os';
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import {
  ComponentsApiError,
  ComponentsClientError,
  NO_MESSAGES,
  SERVICE_DOWN,
  type ApiMessages,
} from './client-errors.js';
import { SseParser, type SseEvent } from './sse.js';
import type { ApiTarget } from './target.js';
import { requireValidToolName } from '../api/tool-name.js';
import { Type, type Static, type TSchema, type TUnknown } from '@sinclair/typebox';
import { readWire } from '../model/wire/check.js';
import { isObject } from '../support/is-object.js';

/** Upstream's client timeout. */
export const DEFAULT_TIMEOUT_MS = 20_000;

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface CallOptions<S extends TSchema = TUnknown> {
  readonly query?: Query;
  /** Sent as JSON; undefined sends no body. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /**
   * The contract of the answer's `data` (src/model/wire): an answer that does not fit it is refused with one
   * line saying where and how. Without it, `data` is `unknown` (a config, which is the user's own document).
   */
  readonly answer?: S;
}

export interface ApiResult<T> {
  readonly status: number;
  readonly data: T;
  readonly messages: ApiMessages;
  /** The whole parsed response (what `--json` prints for "whole response" commands). */
  readonly body: Readonly<Record<string, unknown>>;
}

export type EventStream =
  | { readonly kind: 'stream'; readonly events: AsyncGenerator<SseEvent> }
  /** The server has no events route (e.g. upstream's components-api): poll instead. */
  | { readonly kind: 'unavailable'; readonly status: number };

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** `x-toolforge-user` for a direct server: the local account, named in deployment events. */
function localUserHeader(): Record<string, string> {
  try {
    const name = userInfo().username;
    return /^[\x21-\x7e]+$/.test(name) ? { 'x-toolforge-user': name } : {};
  } catch {
    return {}; // no passwd entry for this uid (some containers): the events just name no user
  }
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function toStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function readMessages(body: unknown): ApiMessages {
  const messages = body && typeof body === 'object' ? (body as { messages?: unknown }).messages : undefined;
  if (!messages || typeof messages !== 'object') return NO_MESSAGES;
  const m = messages as Record<string, unknown>;
  return { info: toStringList(m.info), warning: toStringList(m.warning), error: toStringList(m.error) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function buildQuery(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== false) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export class ComponentsApiClient {
  readonly target: ApiTarget;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(target: ApiTarget, options: { timeoutMs?: number } = {}) {
    // Every command that talks to the API comes through here: an impossible tool name (from --tool,
    // TOOLFORGE_TOOL or a kubeconfig) stops before any request is sent (usage error, exit 2).
    requireValidToolName(target.tool);
    this.target = target;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const tls = target.tls;
    this.#agent = new Agent({
      connect: {
        ...(tls?.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
        // A kubeconfig CA is added to the system roots, not put in their place.
        ...(tls?.ca ? { ca: [...rootCertificates, tls.ca.toString('utf8')] } : {}),
      },
    });
  }

  get tool(): string {
    return this.target.tool;
  }

  /** Closes the connection pool so the process can exit. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-agent': this.target.userAgent,
      accept: 'application/json',
      // Talking to a server directly (no gateway in front): say which tool and which user, as the gateway would.
      ...(this.target.sendToolHeader ? { 'x-toolforge-tool': this.target.tool, ...localUserHeader() } : {}),
      ...(this.target.bearerToken ? { authorization: `Bearer ${this.target.bearerToken}` } : {}),
      ...extra,
    };
  }

  async #send(
    method: Dispatcher.HttpMethod,
    path: string,
    options: CallOptions<TSchema> & { headers?: Record<string, string>; stream?: boolean },
  ): Promise<Dispatcher.ResponseData> {
    const url = `${this.target.toolUrl}${path}${buildQuery(options.query)}`;
    const hasBody = options.body !== undefined;
    try {
      return await request(url, {
        method,
        dispatcher: this.#agent,
        headers: this.#headers({
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        }),
        ...(hasBody ? { body: JSON.stringify(options.body) } : {}),
        headersTimeout: this.#timeoutMs,
        // An event stream stays open for as long as the deployment runs; keep-alive comments keep it busy.
        bodyTimeout: options.stream ? 0 : this.#timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw this.#transportError(error, method, path);
    }
  }

  #transportError(error: unknown, method: string, path: string): Error {
    if (error instanceof Error && error.name === 'AbortError') return error;
    const code = errorCode(error);
    if (code && DOWN_CODES.has(code))
      return new ComponentsClientError(SERVICE_DOWN, NO_MESSAGES, { cause: error });
    if (code && TIMEOUT_CODES.has(code)) {
      return new ComponentsClientError(
        `The components service did not answer within ${this.#timeoutMs / 1000} s (${method} ${path || '/'})`,
        NO_MESSAGES,
        { cause: error },
      );
    }
    const why = error instanceof Error ? error.message : String(error);
    return new ComponentsClientError(`Request ${method} ${path || '/'} failed: ${why}`, NO_MESSAGES, {
      cause: error,
    });
  }

  /** Turns a non-2xx answer into the error upstream's CLI would show. */
  #statusError(status: number, text: string): Error {
    const body = parseJson(text);
    const messages = readMessages(body);
    const first = messages.error[0];
    // A gateway's 502/503 means the service is down; our own server's 502 carries the upstream reason
    // (e.g. jobs-api failing), which is worth showing instead.
    if (status === 502 || status === 503) return new ComponentsClientError(first ?? SERVICE_DOWN, messages);
    if (status >= 500) return new ComponentsClientError(first ?? (text.trim() || `HTTP ${status}`), messages);
    return new ComponentsApiError(status, first ?? (text.trim() || `HTTP ${status}`), messages);
  }

  /** One API call below `/tool/<tool>`; `path` starts with `/` (or is empty). */
  async call<S extends TSchema = TUnknown>(
    method: Dispatcher.HttpMethod,
    path: string,
    options: CallOptions<S> = {},
  ): Promise<ApiResult<Static<S>>> {
    const response = await this.#send(method, path, options);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.#transportError(error, method, path);
    }
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw this.#statusError(response.statusCode, text);
    const body = parseJson(text);
    if (!isObject(body) || !('data' in body)) {
      throw new ComponentsClientError(`Unexpected answer to ${method} ${path || '/'}: ${text.slice(0, 200)}`);
    }
    const read = readWire(options.answer ?? Type.Unknown(), body.data, 'data');
    if (!read.ok)
      throw new ComponentsClientError(`Unexpected answer to ${method} ${path || '/'}: ${read.problem}`);
    return { status: response.statusCode, data: read.value, messages: readMessages(body), body };
  }

  /** Opens `GET /deployment/{id}/events`, resuming after `lastEventId` when given. */
  async openEvents(
    id: string,
    options: { lastEventId?: string; signal?: AbortSignal } = {},
  ): Promise<EventStream> {
    const path = `/deployment/${encodeURIComponent(id)}/events`;
    const response = await this.#send('GET', path, {
      stream: true,
      headers: {
        accept: 'text/event-stream',
        ...(options.lastEventId !== undefined ? { 'last-event-id': options.lastEventId } : {}),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const type = String(response.headers['content-type'] ?? '');
    if (
      [404, 405, 501].includes(response.statusCode) ||
      (response.statusCode === 200 && !type.includes('text/event-stream'))
    ) {
      await response.body.dump();
      return { kind: 'unavailable', status: response.statusCode };
    }
    if (response.statusCode !== 200) throw this.#statusError(response.statusCode, await response.body.text());
    return { kind: 'stream', events: readEvents(response.body) };
  }
}

async function* readEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.feed(text);
  }
}
