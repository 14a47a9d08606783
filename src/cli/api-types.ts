/**
 * What the CLI reads from the components-api: the wire contract's types (src/model/wire), which the client
 * decodes every answer with. Upstream leaves out unset fields (docs/upstream-compat.md#envelope), so a field
 * the contract makes optional gets a default where it is shown (`unknown` for a status).
 */
import type { Static } from '@sinclair/typebox';
import type { DeploymentJsonT, DeploymentTaskJsonT } from '../model/wire/deployment-json.js';
import type { DeployTokenJsonT } from '../model/wire/small-answers.js';
import type { BuildInfoJson, RunInfoJson } from '../model/wire/deployment-json.js';

export type BuildInfoJson = Static<typeof BuildInfoJson>;
export type RunInfoJson = Static<typeof RunInfoJson>;
/** Our richer per-task record (absent on upstream servers). */
export type TaskJson = DeploymentTaskJsonT;
export type DeploymentJson = DeploymentJsonT;
export type DeployTokenJson = DeployTokenJsonT;
