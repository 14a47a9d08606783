import { UserError } from '../errors.js';

/** A plan that cannot be computed from these inputs (an unknown `--only` name, a dependency cycle). */
export class PlanError extends UserError {
  constructor(message: string) {
    super('CMP_ERR_PLAN', message, { status: 422, exitCode: 1 });
    this.name = 'PlanError';
  }
}
