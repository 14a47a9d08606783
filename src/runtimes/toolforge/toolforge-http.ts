/**
 * The HTTP layer of the Toolforge runtime: one undici Agent (client certificate or bearer token, like the
 * toolforge CLIs), a per-attempt timeout, and retries with exponential backoff and full jitter.
 *
 * What is retried: 5xx, timeouts and connection errors (`unavailable`) and builds-api's 409 build limit
 * (`quota`), for calls that are safe to repeat. A call that is not (starting a build) passes `recover`: after
 * an ambiguous failure (timeout, 5xx, connection lost after sending) it is asked whether the first attempt took
 * effect after all, and only when it says no is the call repeated. Every other 4xx fails at once with the
 * API's own error text.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { RuntimeError } from '../runtime.js';
import type { RuntimeErrorKind } from '../runtime.js';

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
  /** Per attempt (default 20 000, the toolforge CLIs' timeout). */
  readonly timeoutMs?: number;
  /** Extra attempts after the first (default 4). */
  readonly retries?: number;
  /** First backoff ceiling (default 250 ms); doubles per attempt up to `backoffMaxMs` (default 10 000). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly userAgent?: string;
  /** Jitter source (default Math.random); tests pass a seeded one. */
  readonly random?: () => number;
}

export interface CallSpec {
  readonly api: ApiName;
  readonly method: Dispatcher.HttpMethod;
  /** Path below the API's prefix, e.g. `/tool/t1/builds`. */
  readonly path: string;
  readonly tool: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Safe to send again after an ambiguous failure (default true). */
  readonly idempotent?: boolean;
  /** For non-idempotent calls: did the failed attempt take effect? Returns its result, or undefined. */
  readonly recover?: () => Promise<HttpResult | undefined>;
  /** Meaning of a 409 from this route (default `conflict`). */
  readonly conflictKind?: 'quota' | 'conflict';
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

type Failure = { readonly error: RuntimeError; readonly retry: boolean; readonly ambiguous: boolean };

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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

function statusFailure(spec: CallSpec, result: HttpResult): Failure {
  const message = apiErrorText(result.status, result.text, result.json);
  const status = result.status;
  if (status >= 500) {
    const error = new RuntimeError('unavailable', `${spec.api}-api error (HTTP ${status}): ${message}`, {
      status,
    });
    return { error, retry: true, ambiguous: true };
  }
  let kind: RuntimeErrorKind = 'rejected';
  if (status === 404) kind = 'not-found';
  else if (status === 409) kind = spec.conflictKind ?? 'conflict';
  return { error: new RuntimeError(kind, message, { status }), retry: kind === 'quota', ambiguous: false };
}

/** Connection refused / DNS failures happen before anything is sent: safe to repeat even a POST. */
const BEFORE_SEND = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function transportFailure(spec: CallSpec, error: unknown, timeoutMs: number): Failure {
  const err = error as Error & { code?: string; cause?: { code?: string } };
  const where = `${spec.method} ${PREFIX[spec.api]}${spec.path}`;
  if (err.name === 'TimeoutError') {
    const failure = new RuntimeError(
      'unavailable',
      `${spec.api}-api did not answer within ${timeoutMs} ms (${where})`,
      { cause: error },
    );
    return { error: failure, retry: true, ambiguous: true };
  }
  const code = err.code ?? err.cause?.code ?? '';
  const failure = new RuntimeError(
    'unavailable',
    `cannot reach ${spec.api}-api (${where}): ${code || err.message}`,
    { cause: error },
  );
  return { error: failure, retry: true, ambiguous: !BEFORE_SEND.has(code) };
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

  private async backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const base = this.options.backoffBaseMs ?? 250;
    const ceiling = Math.min(this.options.backoffMaxMs ?? 10_000, base * 2 ** attempt);
    const delay = (this.options.random ?? Math.random)() * ceiling;
    await sleep(delay, undefined, { signal }).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
  }

  /** One API call with the retry policy above; resolves with a 2xx result, throws `RuntimeError` otherwise. */
  async call(spec: CallSpec): Promise<HttpResult> {
    const retries = this.options.retries ?? 4;
    let last: Failure | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await this.backoff(attempt - 1, spec.signal);
      if (last?.ambiguous && spec.idempotent === false) {
        // Repeating blindly could do the thing twice (two builds). After the backoff (time for a slow first
        // attempt to land), look whether it took effect; if that cannot be told, fail rather than guess.
        const recovered = spec.recover ? await spec.recover().catch(() => 'unknown' as const) : 'unknown';
        if (recovered === 'unknown') throw last.error;
        if (recovered !== undefined) return recovered;
      }
      let failure: Failure;
      try {
        const result = await this.attempt(spec);
        if (result.status < 300) return result;
        failure = statusFailure(spec, result);
      } catch (error) {
        // The caller gave up: not a service failure, pass its reason through untouched.
        if (spec.signal?.aborted) throw spec.signal.reason;
        failure = transportFailure(spec, error, this.timeoutMs);
      }
      last = failure;
      if (!failure.retry) throw failure.error;
    }
    if (last?.ambiguous && spec.idempotent === false && spec.recover) {
      await this.backoff(retries, spec.signal);
      const recovered = await spec.recover().catch(() => undefined);
      if (recovered !== undefined) return recovered;
    }
    const error = last?.error ?? new RuntimeError('unavailable', `${spec.api}-api call failed`);
    throw new RuntimeError(error.kind, `${error.message} (after ${retries + 1} attempts)`, {
      status: error.status,
      cause: error,
    });
  }
}
