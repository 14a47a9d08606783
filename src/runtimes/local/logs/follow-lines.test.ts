import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir, waitFor } from '../../../../test/support/local-kit.js';
import { followLines } from './follow-lines.js';

describe('followLines', () => {
  const tmp = tempDir('follow');
  after(() => tmp.remove());

  it('reads the lines there are, including a last unterminated one', async () => {
    const path = join(tmp.path, 'a.log');
    writeFileSync(path, 'one\ntwo\nthree');
    const lines: string[] = [];
    for await (const line of followLines(path)) lines.push(line);
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });

  it('follows new lines (and a missing file) until aborted', async () => {
    const path = join(tmp.path, 'b.log');
    const stop = new AbortController();
    const lines: string[] = [];
    const reading = (async () => {
      for await (const line of followLines(path, { follow: true, signal: stop.signal, pollMs: 20 }))
        lines.push(line);
    })();
    writeFileSync(path, 'first\n');
    await waitFor('first line', () => lines.length === 1);
    appendFileSync(path, 'second\nthi');
    appendFileSync(path, 'rd\n');
    await waitFor('three lines', () => lines.length === 3);
    stop.abort();
    await reading;
    assert.deepEqual(lines, ['first', 'second', 'third']);
  });
});
