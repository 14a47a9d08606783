import type { JobSpec } from '../../../model/job-spec.js';
import type { JobRecord } from '../../../model/observed-state.js';

type SpecFields = Omit<JobRecord, 'state' | 'health' | 'readyReplicas' | 'message' | 'healthReason' | 'url'>;

/** The spec part of a JobRecord: what jobs-api would echo back for this job. */
export function specFields(spec: JobSpec): SpecFields {
  return { ...spec };
}
