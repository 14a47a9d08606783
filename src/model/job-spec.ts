import type { JobRunFields } from './observed-state.js';

/** A job as we ask the runtime to run it: the component's run fields plus the image to run. */
export interface JobSpec extends JobRunFields {
  readonly name: string;
  readonly type: 'continuous' | 'scheduled' | 'one-off';
  readonly image: string;
}
