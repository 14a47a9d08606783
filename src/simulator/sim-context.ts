/** What every simulator route needs: state, the current behaviour knobs, the PRNG and the clock. */
import type { Prng } from '../support/seeded-random.js';
import type { SimulatorBehaviour } from './simulator-options.js';
import type { SimulatorState } from './simulator-state.js';

export interface SimContext {
  readonly state: SimulatorState;
  readonly behaviour: SimulatorBehaviour;
  readonly prng: Prng;
  now(): number;
}
