/**
 * The upstream reference folder (`../shared/reference` next to the repository, or TOOLFORGE_REFERENCE_DIR):
 * upstream's OpenAPI documents, recorded exchanges and payloads. The conformance tests are the only code that
 * reads it, and they skip when it is absent (a clone on its own): nothing else in the project may need it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const REFERENCE_DIR = resolve(
  process.env.TOOLFORGE_REFERENCE_DIR ?? join(ROOT, '..', 'shared', 'reference'),
);

/** Present when the folder holds the OpenAPI documents (in CI it does). */
export const referencePresent = existsSync(join(REFERENCE_DIR, 'jobs-api.openapi.yaml'));

/** For `describe(name, { skip: skipWithoutReference }, …)`. */
export const skipWithoutReference: string | false = referencePresent
  ? false
  : `no upstream reference folder at ${REFERENCE_DIR}`;

export type Json = Record<string, unknown>;

export function readReferenceYaml(name: string): Json {
  return parse(readFileSync(join(REFERENCE_DIR, name), 'utf8')) as Json;
}

export function readReferenceJson<T = Json>(name: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, name), 'utf8')) as T;
}
