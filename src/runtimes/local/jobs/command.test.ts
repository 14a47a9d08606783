import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcfile, resolveCommand } from './command.js';
import { urlVariable } from './job-env.js';

describe('launcher-style command resolution', () => {
  const types = parseProcfile(
    '# comment\nweb: node api.js\n\nflower:   node flower.js --port=$PORT\nbad line\n',
  );

  it('parses Procfile process types', () => {
    assert.deepEqual(
      [...types],
      [
        ['web', 'node api.js'],
        ['flower', 'node flower.js --port=$PORT'],
      ],
    );
  });

  it('runs a process type, with extra words appended, and anything else as a shell command', () => {
    assert.equal(resolveCommand('flower', types), 'node flower.js --port=$PORT');
    assert.equal(resolveCommand('web --verbose', types), 'node api.js --verbose');
    assert.equal(resolveCommand('echo hi && exit 2', types), 'echo hi && exit 2');
    assert.equal(resolveCommand('webby', types), 'webby');
  });

  it('runs the web process when there is no command, and refuses that without one', () => {
    assert.equal(resolveCommand('', types), 'node api.js');
    assert.throws(() => resolveCommand('  ', new Map()), /no `web` process/);
  });

  it('names the URL variable of a component', () => {
    assert.equal(urlVariable('toolhunt-api'), 'TOOLHUNT_API_URL');
    assert.equal(urlVariable('my.api2'), 'MY_API2_URL');
  });
});
