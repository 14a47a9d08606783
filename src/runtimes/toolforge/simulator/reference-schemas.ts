/**
 * The simulator's request/response contract, taken from the reference OpenAPI files themselves
 * (`../shared/reference/{builds,jobs}-api.openapi.yaml` next to the project root) at start time, so the
 * simulator can never drift from them. No copy of the schemas lives in this code base: if the files are missing
 * the simulator refuses to start and says where it looked (override with `referenceDir` or
 * `TOOLFORGE_REFERENCE_DIR`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { UserError } from '../../../errors.js';

export type ApiName = 'builds' | 'jobs';

const FILES: Record<ApiName, string> = {
  builds: 'builds-api.openapi.yaml',
  jobs: 'jobs-api.openapi.yaml',
};

export class ReferenceSchemasMissingError extends UserError {
  constructor(dir: string) {
    super(
      'simulator-reference-missing',
      `The Toolforge simulator validates against the reference OpenAPI files, but ${join(dir, FILES.builds)} ` +
        'was not found; set TOOLFORGE_REFERENCE_DIR to the folder holding builds-api.openapi.yaml and jobs-api.openapi.yaml',
    );
  }
}

/** `<project root>/../shared/reference`, found from this file's location (src/ or dist/ alike). */
export function defaultReferenceDir(): string {
  if (process.env.TOOLFORGE_REFERENCE_DIR) return resolve(process.env.TOOLFORGE_REFERENCE_DIR);
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(dir, '..', 'shared', 'reference');
}

type Json = Record<string, unknown>;

export interface ReferenceSchemas {
  /** A validator for `#/components/schemas/<name>` of one API's OpenAPI document. */
  validator(api: ApiName, schemaName: string): ValidateFunction;
  /** The property names a schema allows, following `$ref` and `allOf` (pydantic forbids the rest). */
  allowedProperties(api: ApiName, schemaName: string): ReadonlySet<string>;
  /** A raw schema node, e.g. to read a `pattern`. */
  schema(api: ApiName, schemaName: string): Json;
  readonly dir: string;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadReferenceSchemas(dir: string = defaultReferenceDir()): ReferenceSchemas {
  if (!existsSync(join(dir, FILES.builds)) || !existsSync(join(dir, FILES.jobs))) {
    throw new ReferenceSchemasMissingError(dir);
  }
  // `discriminator`, `example` and OpenAPI's own keys are not JSON Schema keywords: ignore, do not fail.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const docs = {} as Record<ApiName, Json>;
  for (const api of ['builds', 'jobs'] as const) {
    const doc = parse(readFileSync(join(dir, FILES[api]), 'utf8')) as Json;
    docs[api] = doc;
    const components = isJson(doc.components) ? doc.components : {};
    ajv.addSchema({ $id: `${api}.json`, components: { schemas: components.schemas } });
  }
  const cache = new Map<string, ValidateFunction>();

  function schema(api: ApiName, name: string): Json {
    const components = docs[api].components;
    const schemas = isJson(components) && isJson(components.schemas) ? components.schemas : {};
    const found = schemas[name];
    if (!isJson(found)) throw new Error(`${FILES[api]} has no schema ${name}`);
    return found;
  }

  function collect(api: ApiName, node: Json, out: Set<string>): void {
    if (typeof node.$ref === 'string') collect(api, schema(api, node.$ref.split('/').pop() ?? ''), out);
    if (isJson(node.properties)) for (const key of Object.keys(node.properties)) out.add(key);
    if (Array.isArray(node.allOf)) for (const part of node.allOf) if (isJson(part)) collect(api, part, out);
  }

  return {
    dir,
    schema,
    validator(api, name) {
      const key = `${api}.json#/components/schemas/${name}`;
      let fn = cache.get(key);
      if (!fn) {
        fn = ajv.getSchema(key);
        if (!fn) throw new Error(`${FILES[api]} has no schema ${name}`);
        cache.set(key, fn);
      }
      return fn;
    },
    allowedProperties(api, name) {
      const out = new Set<string>();
      collect(api, schema(api, name), out);
      return out;
    },
  };
}

/** ajv error → `field: message` (the field path without the leading slash). */
export function describeAjvError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing =
    error.keyword === 'required'
      ? String((error.params as { missingProperty?: string }).missingProperty)
      : '';
  const field = [path, missing].filter((p) => p !== '').join('.');
  return field ? `${field}: ${error.message ?? 'invalid'}` : (error.message ?? 'invalid');
}
