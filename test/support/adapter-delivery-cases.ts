import type { SseModuleOptions } from '../../src/sse/index.js';
import { ADAPTERS } from './test-app.js';

/** A delivery mode of the module. */
export type Delivery = NonNullable<SseModuleOptions['delivery']>;

/**
 * Each adapter with each delivery mode, for a suite that sets `delivery` in
 * its own module (the Redis suites, which `npm run test:direct` does not run
 * again): `describe.each(ADAPTER_DELIVERY_CASES)('on %s', (name, createAdapter, delivery) => ...)`.
 */
export const ADAPTER_DELIVERY_CASES = ADAPTERS.flatMap(
  ([adapter, createAdapter]) =>
    (['pipeline', 'direct'] as const).map(
      (delivery: Delivery) =>
        [`${adapter}, ${delivery}`, createAdapter, delivery] as const,
    ),
);
