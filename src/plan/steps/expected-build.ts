/**
 * How long a build of an image should take, from the observed builds: the newest finished successful build of
 * that image, start to end as builds-api dated it. The executor orders builds by it (longest first, when the
 * build quota cannot take them all at once) and looks for a build's end when it is due. Nothing observed (a new
 * tool, a new image): nothing expected, and builds start in config order.
 */
import type { BuildRecord } from '../../model/observed-state.js';

export function expectedBuild(
  builds: readonly BuildRecord[],
  imageName: string,
): { readonly expectedMs?: number } {
  let newest: { readonly at: number; readonly ms: number } | undefined;
  for (const b of builds) {
    if (b.imageName !== imageName || b.state !== 'successful') continue;
    const at = Date.parse(b.startedAt ?? '');
    const ms = Date.parse(b.finishedAt ?? '') - at;
    if (!(ms > 0) || (newest && newest.at >= at)) continue;
    newest = { at, ms };
  }
  return newest ? { expectedMs: newest.ms } : {};
}
