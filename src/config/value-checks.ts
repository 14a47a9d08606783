/**
 * Type and range checks of single values, with pydantic's message texts (what upstream answers), reporting
 * to the sink and returning undefined when the value is unusable. Strict types: YAML `port: "8080"` is a
 * string, not a port; a float with no fractional part counts as an integer because JSON cannot tell them apart.
 */
import type { DiagnosticSink } from './diagnostic-sink.js';
import { describeNode, type SourceMap, type SourceNode } from './source-tree.js';

/** A value of the wrong type (`Input should be a valid string`), with what was found instead. */
export function typeError(sink: DiagnosticSink, path: string, node: SourceNode, message: string): undefined {
  sink.error('CMP_ERR_CONFIG_WRONG_TYPE', path, message, node.offset, `found ${describeNode(node)}`);
  return undefined;
}

/** A value that is not one of those allowed (`Input should be 'a' or 'b'`), with what was found instead. */
export function valueError(sink: DiagnosticSink, path: string, node: SourceNode, message: string): undefined {
  sink.error('CMP_ERR_CONFIG_INVALID_VALUE', path, message, node.offset, `found ${describeNode(node)}`);
  return undefined;
}

export function readString(
  sink: DiagnosticSink,
  path: string,
  node: SourceNode,
  minLength = 0,
): string | undefined {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') {
    return typeError(sink, path, node, 'Input should be a valid string');
  }
  if (node.value.length < minLength) {
    sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      path,
      `String should have at least ${minLength} character${minLength === 1 ? '' : 's'}`,
      node.offset,
    );
    return undefined;
  }
  return node.value;
}

export function readBoolean(sink: DiagnosticSink, path: string, node: SourceNode): boolean | undefined {
  if (node.kind !== 'scalar' || typeof node.value !== 'boolean') {
    return typeError(sink, path, node, 'Input should be a valid boolean');
  }
  return node.value;
}

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

export function readInteger(
  sink: DiagnosticSink,
  path: string,
  node: SourceNode,
  range: IntegerRange = {},
): number | undefined {
  if (node.kind !== 'scalar' || typeof node.value !== 'number' || !Number.isFinite(node.value)) {
    return typeError(sink, path, node, 'Input should be a valid integer');
  }
  const value = node.value;
  if (!Number.isInteger(value)) {
    sink.error(
      'CMP_ERR_CONFIG_WRONG_TYPE',
      path,
      'Input should be a valid integer, got a number with a fractional part',
      node.offset,
    );
    return undefined;
  }
  if (range.min !== undefined && value < range.min) {
    sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      path,
      `Input should be greater than or equal to ${range.min}`,
      node.offset,
    );
    return undefined;
  }
  if (range.max !== undefined && value > range.max) {
    sink.error(
      'CMP_ERR_CONFIG_INVALID_VALUE',
      path,
      `Input should be less than or equal to ${range.max}`,
      node.offset,
    );
    return undefined;
  }
  return value;
}

/** pydantic's enum message: `Input should be 'a', 'b' or 'c'`. */
export function enumMessage(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  const last = quoted.pop();
  return `Input should be ${quoted.length > 0 ? `${quoted.join(', ')} or ${last}` : last}`;
}

export function readEnum<T extends string>(
  sink: DiagnosticSink,
  path: string,
  node: SourceNode,
  values: readonly T[],
): T | undefined {
  if (
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    (values as readonly string[]).includes(node.value)
  ) {
    return node.value as T;
  }
  return valueError(sink, path, node, enumMessage(values));
}

export function readMap(sink: DiagnosticSink, path: string, node: SourceNode): SourceMap | undefined {
  if (node.kind !== 'map') return typeError(sink, path, node, 'Input should be a valid dictionary');
  return node;
}
