/** Which log file `logs <component>` reads; the command itself, run as a process, is in test/integration. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir, writeFiles } from '../../../test/support/local-kit.js';
import { pickLogFile } from './logs.js';

describe('logs: the log file of a component', () => {
  const tmp = tempDir('logs-pick');
  writeFiles(tmp.path, {
    'logs/t1/web.log': 'hello\n',
    'logs/t1/api.log': 'a\n',
    'logs/t2/api.log': 'b\n',
  });
  after(() => tmp.remove());

  it('finds the only tool with the component, or asks for --tool', () => {
    assert.equal(pickLogFile(tmp.path, 'web', undefined), join(tmp.path, 'logs/t1/web.log'));
    assert.throws(
      () => pickLogFile(tmp.path, 'api', undefined),
      /several tools \(t1, t2\): choose one with --tool/,
    );
    assert.equal(pickLogFile(tmp.path, 'api', 't2'), join(tmp.path, 'logs/t2/api.log'));
    assert.throws(() => pickLogFile(tmp.path, 'nope', undefined), /no logs for component "nope"/);
  });
});
