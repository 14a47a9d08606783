/**
 * docs/errors.md and the error-code registry agree both ways: every registered code is documented once, in the
 * table of its kind, with the registry's status, exit code, severity, description and (for the API) message
 * template; and every documented code is registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, type ErrorCode, type ErrorEntry } from '../../../src/errors.js';
import { API_ERRORS, messageTemplate, type ApiErrorCode } from '../../../src/api/api-errors.js';

const DOCS = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

const SECTIONS = ['API errors', 'Core and CLI errors', 'Config problems'] as const;
type Section = (typeof SECTIONS)[number];

interface Row {
  readonly section: Section;
  /** The cells after the code, trimmed (prettier pads them to align the table). */
  readonly cells: readonly string[];
}

function documentedRows(): Map<string, Row[]> {
  const rows = new Map<string, Row[]>();
  for (const section of SECTIONS) {
    const text = DOCS.split(`\n## ${section}\n`)[1]?.split('\n## ')[0] ?? '';
    for (const match of text.matchAll(/^\|\s*`(CMP_[A-Z_]+)`\s*\|(.*)\|$/gm)) {
      const cells = match[2]!.split('|').map((cell) => cell.trim());
      rows.set(match[1]!, [...(rows.get(match[1]!) ?? []), { section, cells }]);
    }
  }
  return rows;
}

function isApiCode(code: ErrorCode): code is ApiErrorCode {
  return code in API_ERRORS;
}

/** The row the registry says a code has, section first. */
function expectedRow(code: ErrorCode, entry: ErrorEntry): Row {
  switch (entry.kind) {
    case 'failure':
      return isApiCode(code)
        ? {
            section: 'API errors',
            cells: [String(entry.status), String(entry.exitCode), messageTemplate(code), entry.description],
          }
        : {
            section: 'Core and CLI errors',
            cells: [String(entry.status), String(entry.exitCode), entry.description],
          };
    case 'config-error':
      return { section: 'Config problems', cells: ['error', entry.description] };
    case 'config-warning':
      return { section: 'Config problems', cells: ['warning', entry.description] };
  }
}

test('every registered code is documented once, in the table of its kind, as the registry has it', () => {
  const rows = documentedRows();
  for (const [code, entry] of Object.entries(ERRORS) as Array<[ErrorCode, ErrorEntry]>) {
    assert.deepEqual(rows.get(code), [expectedRow(code, entry)], code);
  }
});

test('the docs list no code the registry does not have', () => {
  const unknown = [...documentedRows().keys()].filter((code) => !(code in ERRORS));
  assert.deepEqual(unknown, []);
});

test('every API message belongs to a registered failure code', () => {
  for (const code of Object.keys(API_ERRORS) as ApiErrorCode[])
    assert.equal(ERRORS[code].kind, 'failure', code);
});

test('a config error is answered with the status of the validation error that carries it', () => {
  const statuses = new Set(
    Object.values(ERRORS)
      .filter((entry) => entry.kind === 'config-error')
      .map((entry) => entry.status),
  );
  assert.deepEqual([...statuses], [ERRORS.CMP_ERR_VALIDATION.status]);
});
