/**
 * The store reads a request of a tool route would otherwise make every time, cached per tool: the deploy token
 * (checked on every token-authenticated request), the stored config and the managed components (both read by
 * each `?only-plan=true`). Values are shared between requests, so they are frozen.
 *
 * When an entry is still good:
 * - a write by this process (this replica, its executor included) is seen at once: every entry carries the
 *   store's `localWriteRevision(tool)` read before the store was, and is read again when that has changed. The
 *   store counts the writes itself, so no caller has to remember to invalidate, whichever module writes;
 * - a write by another replica sharing the database cannot be seen without asking the database, and asking on
 *   every request (even a cheap revision read) is the query this cache exists to save. So an entry is used for
 *   at most `maxAgeMs` (default 1 s): a token revoked through another replica keeps working here for at most
 *   that long, about as long as a request in flight when it was revoked. One read per tool and second is
 *   nothing next to the requests it saves.
 *
 * Callers that must see the database as it is now (creating a deployment) read the store, not this cache.
 */
import { LRUCache } from 'lru-cache';
import type { Store, StoredConfig, StoredToken } from '../store/store.js';
import { deepFreeze } from './deep-freeze.js';

export interface ToolCacheOptions {
  /** Longest use of an entry without reading the store again: how late another replica's write may be seen. */
  readonly maxAgeMs?: number;
  /** Tools kept per kind of read (least recently used go first). */
  readonly maxTools?: number;
  /** A monotonic clock in milliseconds (tests pass a manual one). */
  readonly clock?: () => number;
}

export const DEFAULT_TOOL_CACHE_MAX_AGE_MS = 1000;
const DEFAULT_MAX_TOOLS = 10_000;

interface Slot<T> {
  /** Shared by the requests that miss together, so that one store read serves them all. */
  readonly value: Promise<T>;
  readonly revision: number;
  readonly readAt: number;
}

/** One kind of read, cached by tool. */
class ReadCache<T extends object | undefined> {
  readonly #store: Store;
  readonly #read: (tool: string) => Promise<T>;
  readonly #maxAgeMs: number;
  readonly #clock: () => number;
  readonly #slots: LRUCache<string, Slot<T>>;

  constructor(store: Store, read: (tool: string) => Promise<T>, options: Required<ToolCacheOptions>) {
    this.#store = store;
    this.#read = read;
    this.#maxAgeMs = options.maxAgeMs;
    this.#clock = options.clock;
    this.#slots = new LRUCache({ max: options.maxTools });
  }

  get(tool: string): Promise<T> {
    // Without the store's write count nothing tells a current entry from a stale one: read every time.
    if (!this.#store.localWriteRevision) return this.#read(tool);
    const revision = this.#store.localWriteRevision(tool);
    const now = this.#clock();
    const slot = this.#slots.get(tool);
    if (slot && slot.revision === revision && now - slot.readAt < this.#maxAgeMs) return slot.value;
    const value = this.#read(tool).then(deepFreeze);
    const fresh: Slot<T> = { value, revision, readAt: now };
    this.#slots.set(tool, fresh);
    // A failed read is not kept: the next request tries again.
    value.catch(() => {
      if (this.#slots.peek(tool) === fresh) this.#slots.delete(tool);
    });
    return value;
  }
}

export class ToolCache {
  readonly #tokens: ReadCache<StoredToken | undefined>;
  readonly #configs: ReadCache<StoredConfig | undefined>;
  readonly #managed: ReadCache<readonly string[]>;

  constructor(store: Store, options: ToolCacheOptions = {}) {
    const settings: Required<ToolCacheOptions> = {
      maxAgeMs: options.maxAgeMs ?? DEFAULT_TOOL_CACHE_MAX_AGE_MS,
      maxTools: options.maxTools ?? DEFAULT_MAX_TOOLS,
      clock: options.clock ?? (() => performance.now()),
    };
    this.#tokens = new ReadCache(store, (tool) => store.getToken(tool), settings);
    this.#configs = new ReadCache(store, (tool) => store.getConfig(tool), settings);
    this.#managed = new ReadCache<readonly string[]>(
      store,
      (tool) => store.managedComponents(tool),
      settings,
    );
  }

  /** The tool's deploy token as stored (its hash and creation date), or undefined when it has none. */
  token(tool: string): Promise<StoredToken | undefined> {
    return this.#tokens.get(tool);
  }

  /** The tool's stored config, or undefined when it has none. */
  config(tool: string): Promise<StoredConfig | undefined> {
    return this.#configs.get(tool);
  }

  /** Components the tool's last successful deployment deployed. */
  managedComponents(tool: string): Promise<readonly string[]> {
    return this.#managed.get(tool);
  }
}
