/**
 * What a build's `repository` may be. Upstream's dialects keep upstream's rule (an http, https or git URL). The seed
 * dialect also takes file:// URLs and filesystem paths, which the local runtime builds from. URLs are
 * normalised the way upstream's URL type does it (WHATWG: a host-only URL gains a trailing `/`).
 */
import type { ConfigDialect } from '../model/tool-config.js';

export type RepositoryCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly message: string; readonly hint?: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** `git@host:owner/repo`: git's scp-like syntax, which is neither a URL nor a local path. */
const SCP_LIKE = /^[\w.-]+@[\w.-]+:/;
const UPSTREAM_SCHEMES = ['http', 'https', 'git'];

export function isRepositoryUrl(repository: string): boolean {
  return SCHEME.test(repository);
}

export function checkRepository(repository: string, dialect: ConfigDialect): RepositoryCheck {
  const schemes = dialect === 'seed' ? [...UPSTREAM_SCHEMES, 'file'] : UPSTREAM_SCHEMES;
  const schemeMessage =
    dialect === 'seed'
      ? "URL scheme should be 'http', 'https', 'git' or 'file'"
      : "URL scheme should be 'http', 'https' or 'git'";
  const scheme = SCHEME.exec(repository)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (dialect !== 'seed')
      return { ok: false, message: 'Input should be a valid URL, relative URL without a base' };
    if (SCP_LIKE.test(repository)) {
      return {
        ok: false,
        message: schemeMessage,
        hint: 'write an https:// URL instead of the scp-like git@host:path',
      };
    }
    return { ok: true, value: repository };
  }
  if (!schemes.includes(scheme)) {
    const hint = dialect === 'seed' ? 'or a local path' : undefined;
    return { ok: false, message: schemeMessage, ...(hint ? { hint } : {}) };
  }
  try {
    return { ok: true, value: new URL(repository).href };
  } catch {
    return { ok: false, message: 'Input should be a valid URL' };
  }
}
