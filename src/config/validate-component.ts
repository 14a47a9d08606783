/**
 * One component: its name, type, build and run, and the references (reuse-from, wait-for) it makes to other
 * components. References are returned even when the component itself is broken, so that the cross-component
 * checks still run and every problem in the file is reported at once.
 */
import { componentNameProblem } from './component-name.js';
import { spell } from './field-names.js';
import { indexPath, joinPath } from './path.js';
import { readFields, type LoadContext } from './read-fields.js';
import { checkRepository } from './repository.js';
import type { SourceEntry, SourceMap, SourceNode } from './source-tree.js';
import {
  COMPONENT_TYPES,
  ENVVAR_NAME_PATTERN,
  isUpstreamDialect,
  type BuildSpec,
  type Component,
  type ComponentType,
} from '../model/tool-config.js';
import { describeNode } from './source-tree.js';
import { readBoolean, readEnum, readMap, readString, typeError } from './value-checks.js';
import { validateRun } from './validate-run.js';

/** A reference from one component to another, located for error messages. */
export interface ComponentRef {
  readonly target: string;
  readonly path: string;
  readonly offset?: number;
}

export interface ComponentDraft {
  readonly name: string;
  readonly path: string;
  readonly offset?: number;
  /** Undefined when the component has errors. */
  readonly component?: Component;
  readonly reuse?: ComponentRef;
  readonly waitFor: readonly ComponentRef[];
}

export function validateComponent(
  ctx: LoadContext,
  entry: SourceEntry,
  componentsPath: string,
): ComponentDraft {
  const { sink, tables } = ctx;
  const name = entry.key;
  const path = joinPath(componentsPath, name);
  const errorsBefore = sink.errorCount;
  const nameProblem = componentNameProblem(name);
  if (nameProblem) sink.error('CMP_ERR_CONFIG_INVALID_NAME', path, nameProblem, entry.keyOffset);
  const map = readMap(sink, path, entry.value);
  if (!map) return { name, path, offset: entry.keyOffset, waitFor: [] };

  const fields = readFields(ctx, map, path, tables.component);
  const at = (field: string) => fields.get(field);
  const typeEntry = at('component_type');
  const runEntry = at('run');
  const { type, explicit } = readType(ctx, path, typeEntry, runEntry);
  const descriptionEntry = at('description');
  const description = descriptionEntry
    ? readString(sink, joinPath(path, descriptionEntry.key), descriptionEntry.value)
    : undefined;
  const build = readBuild(ctx, at('build'), path, map);
  const waitFor = readWaitFor(ctx, at('wait_for'), path);
  const run =
    type === undefined
      ? undefined
      : validateRun(ctx, {
          node: runEntry?.value,
          path: joinPath(path, runEntry?.key ?? 'run'),
          type,
          typeExplicit: explicit,
          componentOffset: entry.keyOffset,
        });

  const draft = { name, path, offset: entry.keyOffset, reuse: build.reuse, waitFor };
  if (sink.errorCount !== errorsBefore || !type || !build.spec || !run) return draft;
  const component = {
    name,
    type,
    build: build.spec,
    waitFor: waitFor.map((ref) => ref.target),
    run,
    ...(description !== undefined ? { description } : {}),
  } as Component;
  return { ...draft, component };
}

/** Upstream's rule (v1beta2, and every v1beta1 config upgraded to it): scheduled exactly when run has a schedule. */
function inferredType(run: SourceEntry | undefined): ComponentType | undefined {
  if (run?.value.kind !== 'map') return undefined;
  return run.value.entries.some((e) => e.key === 'schedule') ? 'scheduled' : 'continuous';
}

/**
 * The component's type. Upstream's dialects always infer it from the run (a written `component_type` that
 * disagrees is overwritten, as upstream's upgrade does, with a warning); the seed dialect infers it only when
 * `type` is left out. Without a readable run, the written type (or continuous) stands and the run's own
 * errors are reported.
 */
function readType(
  ctx: LoadContext,
  path: string,
  typeEntry: SourceEntry | undefined,
  runEntry: SourceEntry | undefined,
): { readonly type: ComponentType | undefined; readonly explicit: boolean } {
  const { sink, tables } = ctx;
  const written = () =>
    typeEntry ? readEnum(sink, joinPath(path, typeEntry.key), typeEntry.value, COMPONENT_TYPES) : undefined;
  const inferred = inferredType(runEntry);
  if (tables.dialect === 'seed' && typeEntry) return { type: written(), explicit: true };
  // `one-off` is our extension to upstream's dialects: only ever written, never inferred (a schedule on it is
  // reported by the run's own checks as a field that does not apply).
  if (typeEntry?.value.kind === 'scalar' && typeEntry.value.value === 'one-off')
    return { type: 'one-off', explicit: true };
  if (inferred === undefined) return { type: typeEntry ? written() : 'continuous', explicit: !!typeEntry };
  if (isUpstreamDialect(tables.dialect)) {
    const value = typeEntry?.value;
    const text = value?.kind === 'scalar' ? value.value : undefined;
    const typePath = joinPath(path, typeEntry?.key ?? 'component_type');
    if (text !== inferred) ctx.upgraded.push(typePath);
    if (typeEntry && text !== inferred) {
      const shown = value ? describeNode(value) : '';
      const why = inferred === 'scheduled' ? 'its run has a schedule' : 'its run has no schedule';
      sink.warning(
        'CMP_WARN_CONFIG_TYPE_REPLACED',
        typePath,
        `${shown} replaced by "${inferred}": ${why} (a component is scheduled exactly when its run has a schedule)`,
        typeEntry.value.offset,
      );
    }
  }
  return { type: inferred, explicit: false };
}

interface BuildResult {
  readonly spec?: BuildSpec;
  readonly reuse?: ComponentRef;
}

function readBuild(
  ctx: LoadContext,
  entry: SourceEntry | undefined,
  componentPath: string,
  component: SourceMap,
): BuildResult {
  const { sink, tables } = ctx;
  const path = joinPath(componentPath, entry?.key ?? 'build');
  if (!entry) {
    sink.error('CMP_ERR_CONFIG_FIELD_REQUIRED', path, 'Field required', component.offset);
    return {};
  }
  const map = readMap(sink, path, entry.value);
  if (!map) return {};
  const fields = readFields(ctx, map, path, tables.build);
  const reuseEntry = fields.get('reuse_from');
  if (reuseEntry) return readReuse(ctx, fields, path, reuseEntry);
  return { spec: readSource(ctx, fields, path, map) };
}

/** `{reuse_from}`: the other build fields do not apply (upstream's SourceBuildReference skips them). */
function readReuse(
  ctx: LoadContext,
  fields: Map<string, SourceEntry>,
  path: string,
  reuseEntry: SourceEntry,
): BuildResult {
  const { sink, tables } = ctx;
  for (const [field, other] of fields) {
    if (field === 'reuse_from') continue;
    const otherPath = joinPath(path, other.key);
    if (field === 'repository') {
      sink.error(
        'CMP_ERR_CONFIG_FIELD_CONFLICT',
        otherPath,
        `Cannot specify both repository and ${spell('reuse_from', tables.dialect)}`,
        other.keyOffset,
      );
    } else {
      const hint = `${other.key} only applies to a build from a repository`;
      sink.warning(
        'CMP_WARN_CONFIG_UNKNOWN_FIELD',
        otherPath,
        `Unknown field ${otherPath}, skipped`,
        other.keyOffset,
        hint,
      );
    }
  }
  const reusePath = joinPath(path, reuseEntry.key);
  const target = readString(sink, reusePath, reuseEntry.value, 1);
  if (target === undefined) return {};
  const reuse: ComponentRef = { target, path: reusePath, offset: reuseEntry.value.offset };
  return { spec: { kind: 'reuse', reuseFrom: target }, reuse };
}

function readSource(
  ctx: LoadContext,
  fields: Map<string, SourceEntry>,
  path: string,
  map: SourceMap,
): BuildSpec | undefined {
  const { sink, tables } = ctx;
  const repositoryEntry = fields.get('repository');
  const refEntry = fields.get('ref');
  let repository: string | undefined;
  if (!repositoryEntry) {
    const either = `${spell('repository', tables.dialect)} (or ${spell('reuse_from', tables.dialect)})`;
    sink.error(
      'CMP_ERR_CONFIG_FIELD_REQUIRED',
      joinPath(path, 'repository'),
      'Field required',
      map.offset,
      `a build needs ${either}`,
    );
  } else {
    repository = readRepository(ctx, joinPath(path, repositoryEntry.key), repositoryEntry.value);
  }
  let ref: string | undefined;
  if (refEntry) ref = readString(sink, joinPath(path, refEntry.key), refEntry.value, 1);
  else if (tables.dialect !== 'seed') {
    sink.error(
      'CMP_ERR_CONFIG_FIELD_REQUIRED',
      joinPath(path, 'ref'),
      'Field required',
      map.offset,
      'a branch, tag or commit, e.g. "main"',
    );
  }
  const flag = (field: string) => {
    const entry = fields.get(field);
    return entry ? readBoolean(sink, joinPath(path, entry.key), entry.value) : false;
  };
  const useLatestVersions = flag('use_latest_versions');
  const useDeprecatedVersions = flag('use_deprecated_versions');
  const envvarsEntry = fields.get('envvars');
  const envvars = envvarsEntry ? readEnvvars(ctx, joinPath(path, envvarsEntry.key), envvarsEntry.value) : {};
  if (repository === undefined || useLatestVersions === undefined || useDeprecatedVersions === undefined) {
    return undefined;
  }
  if ((refEntry && ref === undefined) || envvars === undefined) return undefined;
  const spec: BuildSpec = {
    kind: 'source',
    repository,
    ...(ref !== undefined ? { ref } : {}),
    useLatestVersions,
    useDeprecatedVersions,
    ...(Object.keys(envvars).length > 0 ? { envvars } : {}),
  };
  return spec;
}

/**
 * `build.envvars`: names matching upstream's pattern, string values. The seed dialect also takes a number
 * (`WORKERS: 4`), as its text: YAML makes it a number, and the build sees text either way.
 */
function readEnvvars(ctx: LoadContext, path: string, node: SourceNode): Record<string, string> | undefined {
  const { sink } = ctx;
  if (node.kind === 'scalar' && node.value === null) return {};
  const map = readMap(sink, path, node);
  if (!map) return undefined;
  const envvars: Record<string, string> = {};
  let ok = true;
  for (const entry of map.entries) {
    const entryPath = joinPath(path, entry.key);
    if (!ENVVAR_NAME_PATTERN.test(entry.key)) {
      ok = false;
      sink.error(
        'CMP_ERR_CONFIG_INVALID_VALUE',
        entryPath,
        `String should match pattern '${ENVVAR_NAME_PATTERN.source}'`,
        entry.keyOffset,
        'upper-case letters, digits and _, starting with a letter, at least 4 characters',
      );
      continue;
    }
    const { value } = entry;
    const text =
      ctx.tables.dialect === 'seed' && value.kind === 'scalar' && typeof value.value === 'number'
        ? String(value.value)
        : readString(sink, entryPath, value);
    if (text === undefined) ok = false;
    else envvars[entry.key] = text;
  }
  return ok ? envvars : undefined;
}

function readRepository(ctx: LoadContext, path: string, node: SourceNode): string | undefined {
  const text = readString(ctx.sink, path, node, 1);
  if (text === undefined) return undefined;
  const result = checkRepository(text, ctx.tables.dialect);
  if (result.ok) return result.value;
  ctx.sink.error('CMP_ERR_CONFIG_INVALID_REPOSITORY', path, result.message, node.offset, result.hint);
  return undefined;
}

function readWaitFor(
  ctx: LoadContext,
  entry: SourceEntry | undefined,
  componentPath: string,
): ComponentRef[] {
  if (!entry) return [];
  const path = joinPath(componentPath, entry.key);
  const node = entry.value;
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') {
    typeError(ctx.sink, path, node, 'Input should be a valid list');
    return [];
  }
  const refs: ComponentRef[] = [];
  const seen = new Map<string, number | undefined>();
  node.items.forEach((item, index) => {
    const itemPath = indexPath(path, index);
    const target = readString(ctx.sink, itemPath, item, 1);
    if (target === undefined) return;
    if (seen.has(target)) {
      const first = ctx.sink.describeOffset(seen.get(target));
      const hint = first ? `first listed at ${first}` : undefined;
      ctx.sink.warning(
        'CMP_WARN_CONFIG_DUPLICATE_ENTRY',
        itemPath,
        `duplicate entry "${target}" in ${entry.key}, ignored`,
        item.offset,
        hint,
      );
      return;
    }
    seen.set(target, item.offset);
    refs.push({ target, path: itemPath, offset: item.offset });
  });
  return refs;
}
