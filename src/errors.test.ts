import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERRORS, UserError } from './errors.js';

describe('UserError', () => {
  it('answers with the status and exit code its code has in the registry', () => {
    const error = new UserError('CMP_ERR_CONFIG_UNREADABLE', 'config file x.yaml does not exist');
    assert.deepEqual(
      [error.code, error.status, error.exitCode],
      ['CMP_ERR_CONFIG_UNREADABLE', ERRORS.CMP_ERR_CONFIG_UNREADABLE.status, 2],
    );
    assert.equal(new UserError('CMP_ERR_PLAN', 'x').status, 422);
  });

  it('lets a call site answer one condition differently (a server status passed on, a usage error exiting 2)', () => {
    const error = new UserError('CMP_ERR_USAGE', 'Invalid --port "x"', { status: 409, exitCode: 2 });
    assert.deepEqual([error.status, error.exitCode], [409, 2]);
  });

  it('takes only registered failure codes (the compiler refuses the others)', () => {
    // @ts-expect-error: not a registered code
    const unregistered = () => new UserError('logs-not-found', 'x');
    // @ts-expect-error: a config problem is a Diagnostic's code, never thrown
    const diagnostic = () => new UserError('CMP_ERR_CONFIG_DUPLICATE_KEY', 'x');
    assert.deepEqual([typeof unregistered, typeof diagnostic], ['function', 'function']);
  });
});
