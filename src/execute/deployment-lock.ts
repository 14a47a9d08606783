/**
 * A per-deployment mutex: one step of `advance` and the completions of the runtime calls it started never
 * interleave, so a step never acts on a task row that a completion has just changed under it.
 */
export class DeploymentLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
