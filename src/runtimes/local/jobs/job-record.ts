import type { JobSpec } from '../../runtime.js';
import type { JobRecord } from '../../../status/observed-state.js';

type SpecFields = Omit<JobRecord, 'state' | 'health' | 'readyReplicas' | 'message' | 'healthReason' | 'url'>;

/** The spec part of a JobRecord: what jobs-api would echo back for this job. */
export function specFields(spec: JobSpec): SpecFields {
  return { ...spec };
}
