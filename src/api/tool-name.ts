/**
 * Toolforge's rule for tool names, checked before a request or a CLI command reads or stores anything. It is
 * the rule Striker (toolsadmin) applies when a tool is created: the name becomes a Unix user (`tools.<name>`,
 * useradd's pattern), a DNS label (`<name>.toolforge.org`) and a Kubernetes namespace (`tool-<name>`), so it
 * must fit all three: a lowercase letter first, then lowercase letters, digits and `-`, not ending in `-`, at
 * most 32 characters. Anything else cannot be a tool, so answering early keeps junk out of every table.
 */
import { UserError } from '../errors.js';

export const TOOL_NAME_MAX_LENGTH = 32;
/** The same rule as a JSON-Schema/ECMAScript pattern (documented in the OpenAPI path parameters). */
export const TOOL_NAME_PATTERN = '^[a-z](?:[-a-z0-9]{0,30}[a-z0-9])?$';
const TOOL_NAME = new RegExp(TOOL_NAME_PATTERN);

export const TOOL_NAME_RULE =
  "a tool name starts with a lowercase letter, has only lowercase letters, digits and '-', " +
  `does not end with '-' and is at most ${TOOL_NAME_MAX_LENGTH} characters long`;

export function isValidToolName(name: string): boolean {
  return TOOL_NAME.test(name);
}

/** A tool name given on the command line that Toolforge would never accept (usage error, exit 2). */
export class InvalidToolNameError extends UserError {
  constructor(readonly tool: string) {
    super('CMP_ERR_INVALID_TOOL_NAME', `Invalid tool name '${tool}': ${TOOL_NAME_RULE}`, {
      status: 422,
      exitCode: 2,
    });
    this.name = 'InvalidToolNameError';
  }
}

export function requireValidToolName(name: string): string {
  if (!isValidToolName(name)) throw new InvalidToolNameError(name);
  return name;
}
