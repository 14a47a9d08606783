/**
 * Freezes a value and everything reachable from it, so that a value shared between requests through a cache
 * cannot be changed by one of them: a mutation throws (ES modules are strict) instead of silently changing what
 * every later request reads. An explicit stack: a deep value cannot overflow the call stack.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object' || Object.isFrozen(item)) continue;
    Object.freeze(item);
    for (const key of Object.keys(item)) stack.push((item as Record<string, unknown>)[key]);
  }
  return value;
}
