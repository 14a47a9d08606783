/**
 * Turns a deployment into the event upstream sends to Toolforge's logs service and hands it to a sink, in the
 * background. Delivery is best effort by design (issue 9: "never fail a deployment because the logs service is
 * down"): a failure is logged as a warning and dropped; nothing waits for it but `flush()` (shutdown, tests).
 */
import type { Deployment } from '../model/deployment.js';
import {
  eventTypeFor,
  type DeploymentEventSink,
  type DeploymentEventType,
  type DeploymentLogEvent,
} from '../execute/deployment-events.js';
import type { Store } from '../store/store.js';
import { toUpstreamDeployment } from './upstream-deployment.js';

export type Warn = (message: string) => void;

export class DeploymentEventReporter {
  readonly #store: Store;
  readonly #sink: DeploymentEventSink;
  readonly #warn: Warn;
  readonly #now: () => Date;
  readonly #pending = new Set<Promise<void>>();
  /** deploymentId → its last event's delivery: a deployment's events go out in order (created first). */
  readonly #tails = new Map<string, Promise<void>>();

  constructor(options: { store: Store; sink: DeploymentEventSink; warn?: Warn; now?: () => Date }) {
    this.#store = options.store;
    this.#sink = options.sink;
    this.#warn = options.warn ?? ((message) => process.stderr.write(`toolforge-components: ${message}\n`));
    this.#now = options.now ?? (() => new Date());
  }

  /** Reports the deployment's current state if it is one events are sent for (created or final). */
  report(deployment: Deployment): void {
    const type = eventTypeFor(deployment.state);
    if (!type) return;
    const previous = this.#tails.get(deployment.id) ?? Promise.resolve();
    const sending: Promise<void> = previous
      .then(() => this.#deliver(deployment, type))
      .finally(() => {
        this.#pending.delete(sending);
        if (this.#tails.get(deployment.id) === sending) this.#tails.delete(deployment.id);
      });
    this.#tails.set(deployment.id, sending);
    this.#pending.add(sending);
  }

  /** Waits for every event handed over so far (each either delivered or given up on). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #deliver(deployment: Deployment, type: DeploymentEventType): Promise<void> {
    try {
      const event = await this.#eventOf(deployment, type);
      await this.#sink.send(deployment.tool, event);
    } catch (error) {
      this.#warn(
        `could not send the ${type} event of deployment ${deployment.id} (tool ${deployment.tool}): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  async #eventOf(deployment: Deployment, type: DeploymentEventType): Promise<DeploymentLogEvent> {
    const upstream = toUpstreamDeployment(deployment, await this.#store.listTasks(deployment.id));
    const at =
      type === 'created' ? deployment.createdAt : (deployment.finishedAt ?? this.#now().toISOString());
    const event: DeploymentLogEvent = {
      source: 'deployments',
      event_type: type,
      deployment_id: deployment.id,
      datetime: at,
      user_name: deployment.requestedBy ?? null,
      jobs: upstream.runs,
      builds: upstream.builds,
      description: deployment.description,
    };
    if (type !== 'failed') return event;
    const error = deployment.longStatus ?? `Deployment ${deployment.state.replace('_', ' ')}`;
    return { ...event, error };
  }
}
