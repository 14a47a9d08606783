/**
 * The HTTP layer of the Toolforge runtime: one undici Agent (client certificate or bearer token, like the
 * toolforge CLIs) and **one attempt per call** with a per-request timeout. Retries belong to one layer only,
 * `runtimes/guarded-runtime.ts` (two layers once made up to 5 × 5 attempts of one call), so this client only
 * classifies failures: 5xx, timeouts and connection errors are `unavailable` (retryable), builds-api's 409
 * build limit is `quota` (back-pressure), every other 4xx fails with the API's own error text.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { RuntimeError } from '../runtime.js';
import type { RuntimeErrorKind } from '../runtime.js';
import { isObject } from '../../support/is-object.js';

/** `logs`: the logs service, where deployment events go (src/instance/toolforge-event-sink.ts). */
export type ApiName = 'builds' | 'jobs' | 'logs';

export interface ToolforgeAuth {
  /** PEM files, as in a kubeconfig's `client-certificate` / `client-key` / cluster `certificate-authority`. */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
  /** PEM contents (kubeconfig `*-data` fields, base64-decoded). */
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly bearerToken?: string;
}

export interface HttpOptions {
  /** API gateway URL, e.g. `https://api.svc.tools.eqiad1.wikimedia.cloud:30003`. */
  readonly apiUrl: string;
  readonly auth?: ToolforgeAuth;
  /** Per request (default 20 000, the toolforge CLIs' timeout). */
  readonly timeoutMs?: number;
  /** Only 0, the one behaviour there is (retries belong to the guard); accepted so callers may say so. */
  readonly retries?: 0;
  readonly userAgent?: string;
}

export interface CallSpec {
  readonly api: ApiName;
  readonly method: Dispatcher.HttpMethod;
  /** Path below the API's prefix, e.g. `/tool/t1/builds`. */
  readonly path: string;
  readonly tool: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Meaning of a 409 from this route (default `conflict`). */
  readonly conflictKind?: 'quota' | 'conflict';
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

/**
 * A failed call. `ambiguous`: the request may have been carried out although no answer says so (a timeout, a
 * 5xx, a connection lost after sending), so a caller must look before repeating a call that is not idempotent.
 */
export class HttpFailure extends RuntimeError {
  readonly ambiguous: boolean;
  constructor(
    kind: RuntimeErrorKind,
    message: string,
    ambiguous: boolean,
    options?: { status?: number; cause?: unknown },
  ) {
    super(kind, message, options);
    this.ambiguous = ambiguous;
  }
}

const PREFIX: Record<ApiName, string> = { builds: '/builds/v1', jobs: '/jobs/v1', logs: '/logs/v1' };

function readPem(file: string | undefined, inline: string | undefined): string | undefined {
  return inline ?? (file ? readFileSync(file, 'utf8') : undefined);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The API's own error text: `error` list (jobs-api and builds-api `ResponseMessages`), `messages.error`, a
 * FastAPI `detail` (422: `field: message` items), or the raw body.
 */
export function apiErrorText(status: number, text: string, json: unknown): string {
  if (isObject(json)) {
    const direct = strings(json.error);
    if (direct.length > 0) return direct.join(', ');
    const nested = isObject(json.messages) ? strings(json.messages.error) : [];
    if (nested.length > 0) return nested.join(', ');
    if (typeof json.detail === 'string') return json.detail;
    if (Array.isArray(json.detail)) {
      return json.detail
        .filter(isObject)
        .map((d) => {
          const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
          return loc ? `${loc}: ${String(d.msg)}` : String(d.msg);
        })
        .join(', ');
    }
  }
  return text.trim() !== '' ? text.trim() : `HTTP ${status}`;
}

function statusFailure(spec: CallSpec, result: HttpResult): HttpFailure {
  const message = apiErrorText(result.status, result.text, result.json);
  const status = result.status;
  if (status >= 500)
    return new HttpFailure('unavailable', `${spec.api}-api error (HTTP ${status}): ${message}`, true, {
      status,
    });
  let kind: RuntimeErrorKind = 'rejected';
  if (status === 404) kind = 'not-found';
  else if (status === 409) kind = spec.conflictKind ?? 'conflict';
  return new HttpFailure(kind, message, false, { status });
}

/** Connection refused / DNS failures happen before anything is sent: safe to repeat even a POST. */
const BEFORE_SEND = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function transportFailure(spec: CallSpec, error: unknown, timeoutMs: number): HttpFailure {
  const err = error as Error & { code?: string; cause?: { code?: string } };
  const where = `${spec.method} ${PREFIX[spec.api]}${spec.path}`;
  if (err.name === 'TimeoutError') {
    const message = `${spec.api}-api did not answer within ${timeoutMs} ms (${where})`;
    return new HttpFailure('unavailable', message, true, { cause: error });
  }
  const code = err.code ?? err.cause?.code ?? '';
  const message = `cannot reach ${spec.api}-api (${where}): ${code || err.message}`;
  return new HttpFailure('unavailable', message, !BEFORE_SEND.has(code), { cause: error });
}

export class ToolforgeHttp {
  private readonly agent: Agent;
  private readonly counts: Record<ApiName, number> = { builds: 0, jobs: 0, logs: 0 };
  private readonly options: HttpOptions;

  constructor(options: HttpOptions) {
    this.options = options;
    const auth = options.auth ?? {};
    const cert = readPem(auth.certFile, auth.cert);
    const key = readPem(auth.keyFile, auth.key);
    const ca = readPem(auth.caFile, auth.ca);
    this.agent = new Agent({
      connect: { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) },
    });
  }

  stats(): { builds: number; jobs: number } {
    return { ...this.counts };
  }

  resetStats(): void {
    this.counts.builds = 0;
    this.counts.jobs = 0;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 20_000;
  }

  private async attempt(spec: CallSpec): Promise<HttpResult> {
    this.counts[spec.api]++;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'toolforge-components',
      'x-toolforge-tool': spec.tool,
    };
    if (this.options.auth?.bearerToken) headers.authorization = `Bearer ${this.options.auth.bearerToken}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}${PREFIX[spec.api]}${spec.path}`;
    const response = await request(url, {
      method: spec.method,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      dispatcher: this.agent,
      signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, json: parseJson(text) };
  }

  /** One request: resolves with a 2xx result, throws an `HttpFailure` (a `RuntimeError`) otherwise. */
  async call(spec: CallSpec): Promise<HttpResult> {
    let result: HttpResult;
    try {
      result = await this.attempt(spec);
    } catch (error) {
      // The caller gave up: not a service failure, pass its reason through untouched.
      if (spec.signal?.aborted) throw spec.signal.reason;
      throw transportFailure(spec, error, this.timeoutMs);
    }
    if (result.status < 300) return result;
    throw statusFailure(spec, result);
  }
}
