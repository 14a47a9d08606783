import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse.js';

test('parses events split anywhere, with CRLF, comments, multi-line data and a persisting id', () => {
  const text =
    ': hello\r\nretry: 1000\r\n\r\nid: 1\r\nevent: task\r\ndata: {"a":1}\r\n\r\ndata: line one\ndata:line two\n\nid: 7\nevent: end\ndata: {}\n\n';
  for (const size of [1, 2, 5, text.length]) {
    const parser = new SseParser();
    const events = [];
    for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
    assert.deepEqual(events, [
      { id: '1', event: 'task', data: '{"a":1}' },
      { id: '1', event: 'message', data: 'line one\nline two' },
      { id: '7', event: 'end', data: '{}' },
    ]);
  }
});

test('an event without a blank line after it is not dispatched yet', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed('id: 3\ndata: x\n'), []);
  assert.deepEqual(parser.feed('\n'), [{ id: '3', event: 'message', data: 'x' }]);
});
