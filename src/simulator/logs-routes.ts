/**
 * The logs service's deployment-events route, as components-api reaches it through the API gateway:
 * `POST /logs/v1/tool/{tool}/source/deployments/log` takes one event (`source`, `event_type`, `deployment_id`,
 * `datetime`, `user_name`, `jobs`, `builds`, `description`, and `error` on failed events). The simulator keeps
 * what it received, per tool, and lists it back with `GET` on the same path; tests read it there or through
 * `receivedDeploymentEvents`. `setLogsServiceDown` makes the route answer an error, as an outage would.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from './sim-context.js';
import type { SimulatorState } from './simulator-state.js';
import { isObject } from '../support/is-object.js';

const PATH = '/logs/v1/tool/:tool_name/source/deployments/log';
const EVENT_TYPES = new Set(['created', 'succeeded', 'failed']);

export interface ReceivedDeploymentEvent {
  readonly tool: string;
  /** As posted. */
  readonly event: Readonly<Record<string, unknown>>;
}

interface LogsService {
  readonly events: ReceivedDeploymentEvent[];
  /** Status answered to every request while the service is "down". */
  downStatus?: number;
}

/** Keyed by the simulator's state object: one logs service per simulator, gone with it. */
const services = new WeakMap<SimulatorState, LogsService>();

function serviceOf(state: SimulatorState): LogsService {
  let service = services.get(state);
  if (!service) {
    service = { events: [] };
    services.set(state, service);
  }
  return service;
}

/** The events the simulator received, oldest first (of one tool when given). */
export function receivedDeploymentEvents(state: SimulatorState, tool?: string): ReceivedDeploymentEvent[] {
  return serviceOf(state).events.filter((e) => tool === undefined || e.tool === tool);
}

/** `status` (e.g. 503): the logs service answers it to everything; undefined: it is back. */
export function setLogsServiceDown(state: SimulatorState, status: number | undefined): void {
  serviceOf(state).downStatus = status;
}

type ToolRequest = FastifyRequest<{ Params: { tool_name: string } }>;

interface Problem {
  readonly loc: string[];
  readonly msg: string;
  readonly type: string;
}

/** The checks a pydantic model of the event would make, with FastAPI's 422 items. */
function problemsOf(body: unknown): Problem[] {
  if (!isObject(body)) {
    return [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }];
  }
  const problems: Problem[] = [];
  const field = (name: string, ok: (v: unknown) => boolean, msg: string, required = true): void => {
    if (!(name in body)) {
      if (required) problems.push({ loc: ['body', name], msg: 'Field required', type: 'missing' });
    } else if (!ok(body[name])) {
      problems.push({ loc: ['body', name], msg, type: 'value_error' });
    }
  };
  const isString = (v: unknown): boolean => typeof v === 'string';
  field('source', isString, 'Input should be a valid string');
  field(
    'event_type',
    (v) => typeof v === 'string' && EVENT_TYPES.has(v),
    "Input should be 'created', 'succeeded' or 'failed'",
  );
  field('deployment_id', isString, 'Input should be a valid string');
  field(
    'datetime',
    (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
    'Input should be a valid datetime',
  );
  field('user_name', (v) => v === null || typeof v === 'string', 'Input should be a valid string');
  field('jobs', isObject, 'Input should be a valid dictionary');
  field('builds', isObject, 'Input should be a valid dictionary');
  field('description', isString, 'Input should be a valid string');
  field('error', isString, 'Input should be a valid string', body.event_type === 'failed');
  return problems;
}

/** The gateway sets `x-toolforge-tool`; a tool may only log for itself. */
function authorised(request: ToolRequest, reply: FastifyReply): boolean {
  const header = request.headers['x-toolforge-tool'];
  if (typeof header === 'string' && header === request.params.tool_name) return true;
  void reply
    .code(403)
    .send({ error: [`Not allowed to write the logs of tool '${request.params.tool_name}'`] });
  return false;
}

export function registerLogsRoutes(app: FastifyInstance, ctx: SimContext): void {
  const service = serviceOf(ctx.state);
  const down = (reply: FastifyReply): boolean => {
    if (service.downStatus === undefined) return false;
    void reply.code(service.downStatus).send({ error: [`Simulated outage (HTTP ${service.downStatus})`] });
    return true;
  };

  app.post(PATH, async (request: ToolRequest, reply) => {
    if (down(reply) || !authorised(request, reply)) return reply;
    const problems = problemsOf(request.body);
    if (problems.length > 0) return reply.code(422).send({ detail: problems });
    service.events.push({ tool: request.params.tool_name, event: request.body as Record<string, unknown> });
    return reply.code(201).send({ info: [], warning: [], error: [] });
  });

  app.get(PATH, async (request: ToolRequest, reply) => {
    if (down(reply) || !authorised(request, reply)) return reply;
    const events = receivedDeploymentEvents(ctx.state, request.params.tool_name).map((e) => e.event);
    return reply.send({ events });
  });
}
