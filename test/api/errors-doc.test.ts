/** docs/errors.md and the API error registry agree: same codes, statuses and message templates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { API_ERRORS, messageTemplate, type ApiErrorCode } from '../../src/api/api-errors.js';

const DOCS = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function documentedRows(): Map<string, { status: number; message: string }> {
  const section = DOCS.split('## API errors')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, { status: number; message: string }>();
  // Cells may be padded (prettier aligns markdown tables).
  for (const match of section.matchAll(/^\|\s*`(CMP_ERR_[A-Z_]+)`\s*\|\s*(\d+)\s*\|\s*(.*?)\s*\|$/gm)) {
    rows.set(match[1]!, { status: Number(match[2]), message: match[3]! });
  }
  return rows;
}

test('every registry code is documented with its status and message', () => {
  const rows = documentedRows();
  for (const code of Object.keys(API_ERRORS) as ApiErrorCode[]) {
    const row = rows.get(code);
    assert.ok(row, `${code} missing from docs/errors.md`);
    assert.equal(row.status, API_ERRORS[code].status, code);
    assert.equal(row.message, messageTemplate(code), code);
  }
});

test('the docs list no code the registry does not have', () => {
  const unknown = [...documentedRows().keys()].filter((code) => !(code in API_ERRORS));
  assert.deepEqual(unknown, []);
});
