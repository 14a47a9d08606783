/**
 * A config document (the plain value a client sent) in the form upstream stores and answers it: an upstream
 * document upgraded to v1beta2 (`config_version: v1beta1` becomes v1beta2, and every component whose `run` is
 * a mapping gets the `component_type` its run implies: scheduled exactly when it has a `schedule`), and URLs
 * normalised the way upstream's URL types write them (`https://example.org` → `https://example.org/`), so
 * that what GET /config answers loads back to the same config. Seed documents only get their URLs normalised:
 * their `type` is theirs to leave out.
 *
 * Pure: the input is never modified. Applied when a config is stored and again when a stored one (or a
 * deployment's snapshot, possibly written before this upgrade existed) is read back.
 */
import { CURRENT_UPSTREAM_VERSION } from '../model/tool-config.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const URL_SCHEMES = new Set(['http:', 'https:', 'git:', 'file:']);

/** WHATWG serialisation (what pydantic's URL types produce too), for http(s)/git/file URLs; anything else as is. */
function normaliseUrl(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    const url = new URL(value);
    return URL_SCHEMES.has(url.protocol) ? url.href : value;
  } catch {
    return value;
  }
}

export function upgradeDocument(document: unknown): unknown {
  if (!isObj(document)) return document;
  const seed = 'config-version' in document;
  const copy = structuredClone(document);
  const sourceKey = seed ? 'source-url' : 'source_url';
  if (sourceKey in copy) copy[sourceKey] = normaliseUrl(copy[sourceKey]);
  if (!isObj(copy.components)) return copy;
  for (const component of Object.values(copy.components)) {
    if (!isObj(component)) continue;
    if (isObj(component.build) && 'repository' in component.build) {
      component.build.repository = normaliseUrl(component.build.repository);
    }
    // An explicit `one-off` (our extension) is kept: only continuous and scheduled are inferred from the run.
    if (!seed && isObj(component.run) && component.component_type !== 'one-off') {
      component.component_type = 'schedule' in component.run ? 'scheduled' : 'continuous';
    }
  }
  if (!seed && copy.config_version === 'v1beta1') copy.config_version = CURRENT_UPSTREAM_VERSION;
  return copy;
}
