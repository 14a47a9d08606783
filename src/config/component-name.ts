/**
 * Component names become jobs-api job names (and builds-api image names), so they must be what jobs-api
 * accepts: a lowercase RFC 1123 subdomain of at most 52 characters (jobs-api.openapi.yaml, CommonJob.name).
 */
const JOB_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const MAX_COMPONENT_NAME_LENGTH = 52;

/** Why jobs-api would reject `name`, or undefined when it is fine. */
export function componentNameProblem(name: string): string | undefined {
  if (name.length > MAX_COMPONENT_NAME_LENGTH) {
    return `invalid component name "${name}": jobs-api allows at most ${MAX_COMPONENT_NAME_LENGTH} characters, found ${name.length}`;
  }
  if (!JOB_NAME.test(name)) {
    return `invalid component name "${name}": jobs-api job names use only lowercase letters, digits, '-' and '.', and start and end with a letter or digit`;
  }
  return undefined;
}
