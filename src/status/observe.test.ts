import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRuntime } from '../runtimes/fake/fake-runtime.js';
import { observeTool } from './observe.js';
import { refKey } from '../model/observed-state.js';
import { toolhuntConfig } from '../../test/support/plan-fixtures.js';
import type { ToolConfig } from '../model/tool-config.js';

test('one observe call and one resolveRef per distinct repository and ref', async () => {
  const runtime = new FakeRuntime();
  try {
    const base = toolhuntConfig();
    // A second component on the same repository and ref must not resolve it twice.
    const config: ToolConfig = {
      ...base,
      components: [...base.components, { ...base.components[1]!, name: 'api-copy' }],
    };
    const observed = await observeTool(runtime, 'toolhunt', config, ['a', 'a', 'b'], {
      now: () => new Date('2026-03-01T00:00:00Z'),
    });
    const methods = runtime.calls.map((c) => c.method).sort();
    assert.deepEqual(methods, ['observe', 'resolveRef', 'resolveRef']);
    assert.deepEqual(Object.keys(observed.resolvedRefs).sort(), [
      refKey('./toolhunt', undefined),
      refKey('./toolhunt-cleanup', undefined),
    ]);
    assert.equal(observed.observedAt, '2026-03-01T00:00:00.000Z');
    assert.deepEqual(observed.previouslyManaged, ['a', 'b']);
    assert.equal(observed.tool, 'toolhunt');
  } finally {
    await runtime.close();
  }
});

test('an aborted signal rejects', async () => {
  const runtime = new FakeRuntime({ latencyMs: { observe: 50 } });
  try {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(observeTool(runtime, 't', toolhuntConfig(), [], { signal: controller.signal }));
  } finally {
    await runtime.close();
  }
});
