/**
 * Config paths as the user wrote them: keys joined by `.`, list positions as `[i]`
 * (`components.toolhunt-cleanup.wait-for[0]`), the same form as upstream's unknown-field warnings.
 * Readers pass a cheap parent-linked chain down and only format it when they report something.
 */
export type PathLink =
  | { readonly parent: PathLink | undefined; readonly key: string }
  | { readonly parent: PathLink | undefined; readonly index: number };

export function formatPath(link: PathLink | undefined): string {
  const parts: string[] = [];
  for (let at = link; at; at = at.parent) parts.push('key' in at ? at.key : `[${at.index}]`);
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] ?? '';
    out += out === '' || part.startsWith('[') ? part : `.${part}`;
  }
  return out;
}

export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
