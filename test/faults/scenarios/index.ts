import type { Scenario } from '../harness/scenario.ts';

/** Every scenario, in issue 5's order. */
export const SCENARIOS: Scenario[] = [];
