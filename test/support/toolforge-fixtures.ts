/**
 * The project's own builds-api / jobs-api payload fixtures (test/fixtures/toolforge/): what the real services
 * send, each with what our decoder must make of it (`expect`: fields that must equal, `absent`: fields that
 * must be missing). Used by the decoder's tests and, against upstream's payloads, by the conformance test.
 */
import { readFileSync } from 'node:fs';

export interface PayloadCase {
  readonly label: string;
  /** The upstream-derived payload (in the reference folder's `real-payloads/`) this one mirrors. */
  readonly reference?: string;
  readonly payload: Record<string, unknown>;
  readonly expect: Readonly<Record<string, unknown>>;
  readonly absent?: readonly string[];
}

function load(file: string): PayloadCase[] {
  const url = new URL(`../fixtures/toolforge/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: PayloadCase[] }).cases;
}

export const jobCases: readonly PayloadCase[] = load('jobs-api-jobs.json');
export const buildCases: readonly PayloadCase[] = load('builds-api-builds.json');
