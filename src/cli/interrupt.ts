/**
 * Ctrl-C while `deploy` follows a deployment. On a terminal it asks whether to cancel the deployment
 * (PUT …/cancel, then keep following until it is cancelled) or only stop watching; without a terminal it just
 * stops watching: the deployment goes on on the server either way unless cancelled.
 */
import type { ComponentsApiClient } from './api-client.js';
import { printMessages, type Output } from './output.js';
import { confirm } from './prompt.js';
import type { ProgressRenderer } from './views/progress-renderers.js';

export interface InterruptOptions {
  readonly client: ComponentsApiClient;
  readonly deploymentId: string;
  readonly view: ProgressRenderer;
  /** Aborted to stop watching. */
  readonly stop: AbortController;
  readonly output: Output;
  readonly interactive: boolean;
}

export function watchInterrupts(options: InterruptOptions): { dispose(): void } {
  let asking = false;
  const { client, deploymentId, view, stop, output } = options;

  async function ask(): Promise<void> {
    asking = true;
    view.pause();
    try {
      const cancel = await confirm(
        `Cancel deployment ${deploymentId}? (no: stop watching, it keeps running)`,
        undefined,
        stop.signal,
      );
      if (!cancel) {
        stop.abort();
        return;
      }
      const result = await client.call('PUT', `/deployment/${encodeURIComponent(deploymentId)}/cancel`);
      printMessages(output, result.messages);
      view.resume();
    } catch (error) {
      // End of input, a second Ctrl-C, or the cancel request failed: say why and stop watching.
      if (error instanceof Error && error.message && !stop.signal.aborted)
        output.err(`Error: ${error.message}`);
      stop.abort();
    } finally {
      asking = false;
    }
  }

  const onSigint = (): void => {
    if (!options.interactive || asking) {
      stop.abort();
      return;
    }
    void ask();
  };
  process.on('SIGINT', onSigint);
  return { dispose: () => process.off('SIGINT', onSigint) };
}
