/**
 * Comparing a JSON Schema of ours (TypeBox) with one of an OpenAPI document, keyword by keyword: both are
 * first reduced to a canonical shape (`$ref` resolved, `allOf` merged, a union's object members kept apart),
 * then every difference in types, enums, patterns, bounds, required fields and properties is listed as one
 * line, `<path>: <what differs>`. Annotations (`description`, `example`, `default`, `discriminator`) are not
 * compared; an array whose items the document leaves open accepts any items of ours.
 */
type Json = Record<string, unknown>;

export interface Shape {
  readonly types: readonly string[];
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly bounds: Readonly<Record<string, number>>;
  readonly properties?: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  readonly items?: Shape;
  readonly values?: Shape;
  /** Object members of a union (`oneOf` / `anyOf`). */
  readonly members?: readonly Shape[];
}

const BOUNDS = ['minimum', 'maximum', 'minLength', 'maxLength'] as const;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `#/components/schemas/X` → the schema, for a document's `$ref`s. */
export type Resolve = (ref: string) => Json;

export function openApiResolver(doc: Json): Resolve {
  return (ref) => {
    const name = ref.split('/').pop() ?? '';
    const schemas = isJson(doc.components) && isJson(doc.components.schemas) ? doc.components.schemas : {};
    const found = schemas[name];
    if (!isJson(found)) throw new Error(`no schema ${ref}`);
    return found;
  };
}

/** Resolve `$ref` and merge `allOf` into one plain schema node. */
function flatten(node: Json, resolve: Resolve): Json {
  if (typeof node.$ref === 'string') return flatten(resolve(node.$ref), resolve);
  if (!Array.isArray(node.allOf)) return node;
  const merged: Json = { ...node };
  delete merged.allOf;
  const properties: Json = { ...(isJson(node.properties) ? node.properties : {}) };
  const required = new Set<string>(Array.isArray(node.required) ? (node.required as string[]) : []);
  for (const part of node.allOf) {
    if (!isJson(part)) continue;
    const flat = flatten(part, resolve);
    for (const [key, value] of Object.entries(flat)) {
      if (key === 'properties' && isJson(value)) Object.assign(properties, value);
      else if (key === 'required' && Array.isArray(value)) for (const r of value) required.add(String(r));
      else if (!(key in merged)) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

function typesOf(node: Json): string[] {
  if (Array.isArray(node.type)) return node.type.map(String);
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.enum)) return ['string'];
  if (isJson(node.properties)) return ['object'];
  return [];
}

/** A map's value schema: `additionalProperties`, or TypeBox's one catch-all `patternProperties`. */
function valuesOf(node: Json): Json | undefined {
  if (isJson(node.additionalProperties)) return node.additionalProperties;
  const patterns = isJson(node.patternProperties) ? Object.values(node.patternProperties) : [];
  return patterns.length === 1 && isJson(patterns[0]) ? patterns[0] : undefined;
}

export function shapeOf(raw: Json, resolve: Resolve = () => ({})): Shape {
  const node = flatten(raw, resolve);
  const types = new Set(typesOf(node));
  const members: Shape[] = [];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    for (const member of list) {
      if (!isJson(member)) continue;
      const shape = shapeOf(member, resolve);
      for (const t of shape.types) types.add(t);
      if (shape.types.includes('object')) members.push(shape);
    }
  }
  const bounds: Record<string, number> = {};
  for (const b of BOUNDS) if (typeof node[b] === 'number') bounds[b] = node[b];
  const properties = isJson(node.properties)
    ? Object.fromEntries(
        Object.entries(node.properties)
          .filter((entry): entry is [string, Json] => isJson(entry[1]))
          .map(([k, v]) => [k, shapeOf(v, resolve)]),
      )
    : undefined;
  return {
    types: [...types].sort(),
    ...(Array.isArray(node.enum) ? { enum: node.enum.map(String).sort() } : {}),
    ...(typeof node.pattern === 'string' ? { pattern: node.pattern } : {}),
    bounds,
    ...(properties ? { properties } : {}),
    ...(Array.isArray(node.required) ? { required: node.required.map(String).sort() } : {}),
    ...(isJson(node.items) ? { items: shapeOf(node.items, resolve) } : {}),
    ...(valuesOf(node) ? { values: shapeOf(valuesOf(node) as Json, resolve) } : {}),
    ...(members.length > 0 ? { members } : {}),
  };
}

/** A member's name in a path: its `job_type` or `type` value, else its property names. */
function memberName(shape: Shape): string {
  for (const key of ['job_type', 'type']) {
    const values = shape.properties?.[key]?.enum;
    if (values && values.length === 1) return `${key}=${values[0]}`;
  }
  return Object.keys(shape.properties ?? {})
    .sort()
    .join(',');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every difference between `ours` and the document's `theirs`, one line each. */
export function shapeDifferences(ours: Shape, theirs: Shape, path = ''): string[] {
  const out: string[] = [];
  const at = path === '' ? '(root)' : path;
  // One object of ours against an upstream union of objects: it must be one of them.
  if (ours.properties && !ours.members && theirs.members && !theirs.properties) {
    if (!same(ours.types, theirs.types))
      out.push(`${at}: type ${ours.types.join('|')} here, ${theirs.types.join('|')} upstream`);
    return [...out, ...memberDifferences(ours, theirs, path)];
  }
  if (!same(ours.types, theirs.types))
    out.push(
      `${at}: type ${ours.types.join('|') || 'any'} here, ${theirs.types.join('|') || 'any'} upstream`,
    );
  if (!same(ours.enum, theirs.enum))
    out.push(`${at}: enum ${JSON.stringify(ours.enum)} here, ${JSON.stringify(theirs.enum)} upstream`);
  if (ours.pattern !== theirs.pattern)
    out.push(`${at}: pattern ${ours.pattern} here, ${theirs.pattern} upstream`);
  if (!same(ours.bounds, theirs.bounds))
    out.push(`${at}: bounds ${JSON.stringify(ours.bounds)} here, ${JSON.stringify(theirs.bounds)} upstream`);
  if (!same(ours.required ?? [], theirs.required ?? []))
    out.push(
      `${at}: required ${JSON.stringify(ours.required ?? [])} here, ${JSON.stringify(theirs.required ?? [])} upstream`,
    );
  const ourProps = ours.properties ?? {};
  const theirProps = theirs.properties ?? {};
  for (const key of new Set([...Object.keys(ourProps), ...Object.keys(theirProps)])) {
    const child = path === '' ? key : `${path}.${key}`;
    const mine = ourProps[key];
    const upstream = theirProps[key];
    if (!mine) out.push(`${child}: only upstream`);
    else if (!upstream) out.push(`${child}: only here`);
    else out.push(...shapeDifferences(mine, upstream, child));
  }
  if (ours.items && theirs.items) out.push(...shapeDifferences(ours.items, theirs.items, `${path}[]`));
  else if (!ours.items && theirs.items) out.push(`${path}[]: items open here, typed upstream`);
  if (ours.values || theirs.values) {
    if (ours.values && theirs.values) out.push(...shapeDifferences(ours.values, theirs.values, `${path}{}`));
    else out.push(`${path}{}: map values differ`);
  }
  out.push(...memberDifferences(ours, theirs, path));
  return out;
}

/**
 * Union members, matched by name. A plain object of ours against an upstream union must equal one of its
 * members (upstream's `status` is a `oneOf` of every job type's status; each of our job models has its own).
 */
function memberDifferences(ours: Shape, theirs: Shape, path: string): string[] {
  const mine = ours.members ?? [];
  const upstream = theirs.members ?? [];
  if (mine.length === 0 && upstream.length === 0) return [];
  if (mine.length === 0 && ours.properties) {
    // The closest variant's differences (none when it is one of them).
    const tries = upstream.map((m) => shapeDifferences({ ...ours, types: m.types }, m, path));
    return tries.reduce((best, t) => (t.length < best.length ? t : best));
  }
  const out: string[] = [];
  const byName = new Map(upstream.map((m) => [memberName(m), m]));
  for (const member of mine) {
    const name = memberName(member);
    const match = byName.get(name);
    if (!match) out.push(`${path}<${name}>: variant only here`);
    else out.push(...shapeDifferences(member, match, `${path}<${name}>`));
    byName.delete(name);
  }
  for (const name of byName.keys()) out.push(`${path}<${name}>: variant only upstream`);
  return out;
}
