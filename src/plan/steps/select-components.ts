/**
 * `only`: plan just the named components, plus the builds they need (the component a `reuse-from` points
 * at). Everything else stays as it is; wait-for edges to unselected components are dropped, because an
 * unselected component is left running as it is, which is what a no-op means too.
 */
import { PlanError } from '../plan-error.js';
import type { PlanContext } from '../plan-context.js';

export function selectComponents(ctx: PlanContext): void {
  const only = ctx.options.only;
  if (only === undefined) return;
  const previouslyManaged = new Set(ctx.observed.previouslyManaged);
  const unknown = only.filter((name) => !ctx.index.has(name) && !previouslyManaged.has(name));
  if (unknown.length > 0) {
    throw new PlanError(
      `--only: unknown component${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`,
    );
  }
  const deploy = new Set(only);
  const build = new Set<string>();
  for (const name of only) {
    const position = ctx.index.get(name);
    const component = position !== undefined ? ctx.config.components[position] : undefined;
    if (!component) continue;
    build.add(name);
    if (component.build.kind === 'reuse') build.add(component.build.reuseFrom);
  }
  ctx.deploySelected = deploy;
  ctx.buildSelected = build;
}
