/**
 * How long a build of an image should take, from the observed builds: the newest finished successful build of
 * that image, start to end as builds-api dated it. The executor orders builds by it (longest first, when the
 * build quota cannot take them all at once) and looks for a build's end when it is due. Nothing observed (a new
 * tool, a new image): nothing expected, and builds start in config order.
 */
import type { BuildRecord } from '../../model/observed-state.js';

/** Image name → the expected duration (ms) of its next build, for every image built before. One pass. */
export function expectedBuildTimes(builds: readonly BuildRecord[]): ReadonlyMap<string, number> {
  const newest = new Map<string, { readonly at: number; readonly ms: number }>();
  for (const b of builds) {
    if (b.state !== 'successful') continue;
    const at = Date.parse(b.startedAt ?? '');
    const ms = Date.parse(b.finishedAt ?? '') - at;
    const seen = newest.get(b.imageName);
    if (!(ms > 0) || (seen && seen.at >= at)) continue;
    newest.set(b.imageName, { at, ms });
  }
  return new Map([...newest].map(([image, { ms }]) => [image, ms]));
}
