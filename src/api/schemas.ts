/**
 * TypeBox schemas of the routes' inputs, and the response schemas built from the wire contract
 * (src/model/wire): the single source of request types (through the type provider), of the answers' shapes
 * (Fastify serializes with them, so they list every field a payload has) and of /openapi.json.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Envelope, ErrorEnvelope } from '../model/wire/envelope.js';
import { TOOL_NAME_MAX_LENGTH, TOOL_NAME_PATTERN } from './tool-name.js';

/** Documents Toolforge's tool-name rule; the tool routes' onRequest hook enforces it before anything else. */
const ToolName = Type.String({
  pattern: TOOL_NAME_PATTERN,
  maxLength: TOOL_NAME_MAX_LENGTH,
  description: 'Tool name (Toolforge rule: lowercase letter first, then lowercase letters, digits and -)',
});
export const ToolParams = Type.Object({ toolname: ToolName });
export const DeploymentParams = Type.Object({
  toolname: ToolName,
  deployment_id: Type.String({ minLength: 1, maxLength: 255 }),
});
export const ComponentParams = Type.Object({
  toolname: ToolName,
  component: Type.String({ minLength: 1, maxLength: 255, description: 'Component (job) name' }),
});
export type ToolParamsT = Static<typeof ToolParams>;
export type DeploymentParamsT = Static<typeof DeploymentParams>;

const Flag = (description: string) => Type.Boolean({ default: false, description });
const Wait = Type.Integer({
  minimum: 0,
  description: 'Long-poll: hold the request up to this many seconds (capped) until the deployment is final',
});
const Timeout = Type.String({
  maxLength: 40,
  description:
    "Deadline of each wait for a component to be healthy (or registered), e.g. `30s`, `10m`; a bare number is seconds. When it expires the deployment fails with the last reason seen per component. Default: the server's (10 min).",
});
const Token = Type.String({
  maxLength: 200,
  description: 'Deploy token (instead of the x-toolforge-tool header)',
});

export const CreateDeploymentQuery = Type.Object({
  'force-build': Flag('Rebuild every image even when a build for the same commit exists'),
  'force-run': Flag('Restart every component even when its job is unchanged'),
  prune: Flag('Delete jobs of components the config no longer lists'),
  token: Type.Optional(Token),
  wait: Type.Optional(Wait),
  timeout: Type.Optional(Timeout),
});
export type CreateDeploymentQueryT = Static<typeof CreateDeploymentQuery>;

export const GetDeploymentQuery = Type.Object({ token: Type.Optional(Token), wait: Type.Optional(Wait) });
export type GetDeploymentQueryT = Static<typeof GetDeploymentQuery>;

export const TokenQuery = Type.Object({ token: Type.Optional(Token) });

export const DeployQuery = Type.Object({
  'only-plan': Flag('Return the plan and change nothing'),
  'force-build': Flag('Rebuild every image'),
  'force-run': Flag('Restart every component'),
  prune: Flag('Delete jobs of components the config no longer lists'),
  'plan-id': Type.Optional(
    Type.String({ maxLength: 200, description: 'Refuse (409) if the plan changed since' }),
  ),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  wait: Type.Optional(Wait),
  timeout: Type.Optional(Timeout),
  only: Type.Optional(
    Type.String({
      maxLength: 10_000,
      description: 'With only-plan: plan only these components (comma-separated), plus the builds they need',
    }),
  ),
});
export type DeployQueryT = Static<typeof DeployQuery>;

export const RollbackQuery = Type.Object({
  'only-plan': Flag('Return the rollback plan and change nothing'),
  wait: Type.Optional(Wait),
  timeout: Type.Optional(Timeout),
});
export type RollbackQueryT = Static<typeof RollbackQuery>;

export const EventsHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 20 })) });

/**
 * The responses of a JSON route: its payload in upstream's envelope on success, upstream's error envelope on
 * every failure.
 */
export function responses<T extends TSchema>(data: T) {
  return { 200: Envelope(data), '4xx': ErrorEnvelope, '5xx': ErrorEnvelope };
}
