/**
 * YAML as upstream prints it (PyYAML `dump`): block style, sequences not indented under their key, and either
 * the server's key order (`config show`) or sorted keys (the `Tool config:` of `deployment show`).
 */
import { stringify } from 'yaml';

export function toBlockYaml(value: unknown, options: { sortKeys?: boolean } = {}): string {
  return stringify(value, {
    indentSeq: false,
    sortMapEntries: options.sortKeys === true,
    lineWidth: 80,
  });
}
