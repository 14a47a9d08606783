/**
 * builds-api's build quota, as the executor needs it: how many builds the tool may run at once and how many
 * run now (`GET /builds/v1/tool/{t}/quotas`), kept fresh at almost no cost.
 *
 * Which entry counts builds: builds-api answers `quota.categories[].items[]` with text numbers, and the
 * OpenAPI document does not name the categories. The builds-api sources we know report only `Registry` /
 * `Storage` (bytes, e.g. `1.00Gi`); the simulator adds `Builds` / `Concurrent builds`. So the entry is the
 * first one whose category or item name says "build" and whose `limit` and `used` are counts (or `limit` is
 * `unlimited`); storage never qualifies. A builds-api that reports no such entry gives `limit: undefined`:
 * then its 409 is the only limit, and the executor treats it as back-pressure; after a 409 the builds running
 * then count as the limit until the next reading, so the executor waits rather than meeting the 409 again.
 *
 * Freshness without calls: the limit changes rarely and is read again after `limitTtlMs`; the count of
 * running builds changes with every start and end, and every builds list the runtime fetches anyway (the
 * executor's polling) tells it for free. So a step that just observed the tool needs no quota call at all.
 */
import type { BuildQuota } from '../runtime.js';
import type { BuildRecord } from '../../model/observed-state.js';
import { QuotaCategoryItem } from './wire/builds-api.js';
import { WireReader } from './wire/schema.js';

const COUNT = /^\s*(\d+)\s*$/;
const UNLIMITED = /^\s*unlimited\s*$/i;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** A list field; walked by hand, so that one entry breaking the contract spoils no other. */
function list(value: unknown, key: string): unknown[] {
  const found = field(value, key);
  return Array.isArray(found) ? found : [];
}

/** The builds entry of a `QuotaResponse` (`QuotaCategory` › `QuotaCategoryItem`), or undefined when it has none. */
export function decodeBuildQuota(json: unknown): BuildQuota | undefined {
  for (const category of list(field(json, 'quota'), 'categories')) {
    const categoryName = field(category, 'name');
    for (const raw of list(category, 'items')) {
      const item = new WireReader(QuotaCategoryItem, raw);
      const name = `${typeof categoryName === 'string' ? categoryName : ''} ${item.string('name') ?? ''}`;
      if (!/build/i.test(name) || /storage|registry/i.test(name)) continue;
      const used = COUNT.exec(item.string('used') ?? '');
      const limit = item.string('limit') ?? '';
      if (!used) continue;
      if (UNLIMITED.test(limit)) return { used: Number(used[1]) };
      const max = COUNT.exec(limit);
      if (max) return { limit: Number(max[1]), used: Number(used[1]) };
    }
  }
  return undefined;
}

/** Builds that count against the quota: queued or running (builds-api counts unfinished PipelineRuns). */
export function activeBuilds(builds: readonly BuildRecord[]): number {
  return builds.filter((b) => b.state === 'pending' || b.state === 'running').length;
}

export interface QuotaCacheOptions {
  /** How long a read limit is trusted (default 60 000 ms). */
  readonly limitTtlMs?: number;
  /** How long a count of running builds is trusted (default 2 000 ms). */
  readonly usedTtlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  limit?: number;
  used: number;
  limitAt: number;
  usedAt: number;
}

/** Per tool: the last known limit and count, updated by quota reads, builds lists and our own starts. */
export class BuildQuotaCache {
  readonly #entries = new Map<string, Entry>();
  /** When our last build start (per tool) got its answer: a list sent before it cannot count that build. */
  readonly #lastStart = new Map<string, number>();
  readonly #limitTtlMs: number;
  readonly #usedTtlMs: number;
  readonly #now: () => number;

  constructor(options: QuotaCacheOptions = {}) {
    this.#limitTtlMs = options.limitTtlMs ?? 60_000;
    this.#usedTtlMs = options.usedTtlMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  /**
   * The quota if both its parts are fresh enough to act on, else undefined (read it again). `usedMaxAgeMs`
   * overrides how old the count may be (a caller that lists the builds anyway keeps it fresh itself).
   */
  fresh(tool: string, usedMaxAgeMs = this.#usedTtlMs): BuildQuota | undefined {
    const entry = this.#entries.get(tool);
    const now = this.#now();
    if (!entry || now - entry.limitAt >= this.#limitTtlMs || now - entry.usedAt >= usedMaxAgeMs)
      return undefined;
    return this.current(tool);
  }

  /** What is known now, however old (undefined before the first read). */
  current(tool: string): BuildQuota | undefined {
    const entry = this.#entries.get(tool);
    if (!entry) return undefined;
    return entry.limit === undefined ? { used: entry.used } : { limit: entry.limit, used: entry.used };
  }

  /** A quota read (or `undefined`: builds-api reports no build limit) at `at`. */
  read(tool: string, quota: BuildQuota | undefined, at: number): void {
    const used = quota?.used ?? this.#entries.get(tool)?.used ?? 0;
    this.#entries.set(tool, { limit: quota?.limit, used, limitAt: at, usedAt: at });
  }

  /** The quota could not be read at `at`: keep acting on what is known (a limit read before, or none). */
  unreadable(tool: string, at: number): void {
    const entry = this.#entries.get(tool);
    if (!entry) this.#entries.set(tool, { used: 0, limitAt: at, usedAt: at });
    else [entry.limitAt, entry.usedAt] = [at, at];
  }

  /** A builds list requested at `sentAt` showed `active` unfinished builds. */
  listed(tool: string, active: number, sentAt: number): void {
    const entry = this.#entries.get(tool);
    if (!entry) return;
    // A list requested before our last start was answered may not show that build yet: it can only raise.
    entry.used = sentAt >= (this.#lastStart.get(tool) ?? 0) ? active : Math.max(entry.used, active);
    entry.usedAt = Math.max(entry.usedAt, sentAt);
  }

  /** Our start was accepted: one more build counts. */
  started(tool: string): void {
    this.#lastStart.set(tool, this.#now());
    const entry = this.#entries.get(tool);
    if (entry) entry.used += 1;
  }

  /**
   * builds-api answered 409: the quota is full whatever we counted. When builds-api reports no limit, the
   * builds running now are the limit (until the next reading): the executor then waits instead of asking again.
   */
  full(tool: string): void {
    const entry = this.#entries.get(tool);
    if (!entry) return;
    if (entry.limit !== undefined) entry.used = Math.max(entry.used, entry.limit);
    else if (entry.used > 0) entry.limit = entry.used;
  }
}
