/** Retry timing: exponential backoff with full jitter, so replicas retrying one outage do not stampede. */

/** Delay before retry number `attempt` (1-based): uniform in [base·2^(n-1)/2, base·2^(n-1)], capped at `maxMs`. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs = 60_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Rejects with `onTimeout()` when `promise` takes longer than `ms`; the timer never keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
