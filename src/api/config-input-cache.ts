/**
 * A deploy request's body (a config, maybe with a `plan_id`, or a `plan_id` alone) read into a `DeployInput`,
 * and a cache of those readings for `?only-plan=true`: a client polling for the plan of the same config sends the
 * same body again and again, and parsing, validating and digesting it was a third of such a request.
 *
 * The cache is keyed by a sha256 of everything that decides the reading: the body text and its content type
 * (JSON or YAML); the input limits are the cache's own, fixed when it is made. A changed body has another key, so
 * it is never answered from the cache; a body that is refused is not kept (it is read, and refused, again).
 * Readings are shared by the requests that send the same body, so they are frozen. Bounded by entries and by the
 * total length of the bodies they were read from (their parsed size grows with it).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { configDigest } from '../plan/digest.js';
import { loadConfigText, type InputLimits, type LoadedConfig } from './config-input.js';
import { deepFreeze } from './deep-freeze.js';

export interface DeployInput {
  /** Set when the body carried a config (then it is stored before deploying, unless only planning). */
  readonly loaded?: LoadedConfig;
  readonly planId?: string;
}

/** A reading as the cache hands it out: frozen, with the digest of its config that the planner would compute. */
export interface CachedDeployInput extends DeployInput {
  /** `configDigest(loaded.config)`, when there is a config. */
  readonly configDigest?: string;
}

/** Reads a deploy body: a config (JSON or YAML, any dialect), with or without a `plan_id`; nothing when empty. */
export function readDeployInput(
  text: string,
  contentType: string | undefined,
  limits: InputLimits,
): DeployInput {
  if (text.trim() === '') return {};
  let planId: string | undefined;
  let onlyPlanId = false;
  const loaded = (() => {
    try {
      return loadConfigText(text, contentType, limits, (document) => {
        if (typeof document.plan_id === 'string') planId = document.plan_id;
        delete document.plan_id;
        onlyPlanId = Object.keys(document).length === 0;
      });
    } catch (error) {
      if (onlyPlanId) return undefined; // `{"plan_id": "…"}` alone: deploy the stored config
      throw error;
    }
  })();
  return { ...(loaded ? { loaded } : {}), ...(planId !== undefined ? { planId } : {}) };
}

export interface DeployInputCacheOptions {
  /** Most readings kept (least recently used go first). */
  readonly maxEntries?: number;
  /** Most characters of body text the kept readings were read from, together. */
  readonly maxChars?: number;
}

const DEFAULT_MAX_ENTRIES = 256;
/** About 2 MB of config text: a few hundred typical configs, and a bound on the parsed values kept. */
const DEFAULT_MAX_CHARS = 2 * 1024 * 1024;

export class DeployInputCache {
  readonly #limits: InputLimits;
  readonly #readings: LRUCache<string, CachedDeployInput>;

  constructor(limits: InputLimits, options: DeployInputCacheOptions = {}) {
    this.#limits = limits;
    const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    this.#readings = new LRUCache({
      max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      maxSize: maxChars,
      // One body may take at most a quarter of the room, so that one huge config does not empty the cache.
      maxEntrySize: Math.max(1, Math.floor(maxChars / 4)),
    });
  }

  /** The body's reading, from the cache when the same body (and content type) was read before. */
  read(text: string, contentType: string | undefined): CachedDeployInput {
    if (text.trim() === '') return {};
    const key = createHash('sha256')
      .update(contentType ?? '')
      .update('\0') // a header value holds no NUL: content type and body cannot run into each other
      .update(text)
      .digest('base64');
    const kept = this.#readings.get(key);
    if (kept) return kept;
    const input = readDeployInput(text, contentType, this.#limits);
    const reading = deepFreeze<CachedDeployInput>(
      input.loaded ? { ...input, configDigest: configDigest(input.loaded.config) } : input,
    );
    this.#readings.set(key, reading, { size: Math.max(1, text.length) });
    return reading;
  }
}
