/**
 * The only I/O of status: one `runtime.observe(tool)` (O(1) calls whatever the number of components) plus one
 * `resolveRef` per distinct (repository, ref) of the config's source builds, all in parallel.
 */
import type { ToolConfig } from '../model/tool-config.js';
import type { Runtime } from '../runtimes/runtime.js';
import { refKey, type ObservedState, type RefResolution } from '../model/observed-state.js';

export interface ObserveOptions {
  readonly signal?: AbortSignal;
  /** Clock for `observedAt` (tests pin it). */
  readonly now?: () => Date;
}

export async function observeTool(
  runtime: Runtime,
  tool: string,
  config: ToolConfig | undefined,
  previouslyManaged: readonly string[],
  options: ObserveOptions = {},
): Promise<ObservedState> {
  const call = options.signal ? { signal: options.signal } : {};
  const refs = new Map<string, { repository: string; ref: string | undefined }>();
  for (const component of config?.components ?? []) {
    if (component.build.kind !== 'source') continue;
    const { repository, ref } = component.build;
    refs.set(refKey(repository, ref), { repository, ref });
  }
  const observedAt = (options.now ?? (() => new Date()))().toISOString();
  const [snapshot, resolutions] = await Promise.all([
    runtime.observe(tool, call),
    Promise.all(
      [...refs].map(async ([key, { repository, ref }]): Promise<[string, RefResolution]> => [
        key,
        await runtime.resolveRef(tool, repository, ref, call),
      ]),
    ),
  ]);
  return {
    tool,
    observedAt,
    builds: snapshot.builds,
    jobs: snapshot.jobs,
    previouslyManaged: [...new Set(previouslyManaged)],
    resolvedRefs: Object.fromEntries(resolutions),
  };
}
