/**
 * A store that tells when it is read. A test awaits `called('getDeployment', 2)` to know that a long-poll has
 * gone round its waiting loop (read once by the route, once more while waiting) before it changes what the
 * long-poll waits for, instead of sleeping a while and hoping the request got that far.
 */
export interface TappedStore<S> {
  /** Forwards every call to the store, counting them. */
  readonly store: S;
  /** Resolves once `method` has been called `times` more times from now (default once). */
  called(method: string, times?: number): Promise<void>;
}

interface Waiter {
  readonly method: string;
  remaining: number;
  readonly resolve: () => void;
}

export function tapStore<S extends object>(store: S): TappedStore<S> {
  const waiters: Waiter[] = [];
  const proxy = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]): unknown => {
        // The call runs first; a waiter resolves after it started, so the read is under way or done.
        const result: unknown = value.apply(target, args);
        for (const waiter of [...waiters]) {
          if (waiter.method !== key || --waiter.remaining > 0) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        return result;
      };
    },
  });
  return {
    store: proxy,
    called: (method, times = 1) =>
      new Promise<void>((resolve) => waiters.push({ method, remaining: times, resolve })),
  };
}
