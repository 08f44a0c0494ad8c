import type { SseConnectionRegistry } from '../connection/sse-connection.registry.js';

/**
 * Which application's connection registry serves the endpoints of a
 * controller. Nest calls a route with the controller as `this` and nothing
 * that leads to the application, so `SseEndpointExplorer` records it here at
 * startup: by instance for singleton controllers (several applications may run
 * the same controller class in one process, as tests do), by class for
 * request-scoped ones, whose instances are made per request.
 */
const registries = new WeakMap<object, SseConnectionRegistry>();

/** Records that `registry` serves the SSE endpoints of `controller` (an instance, or a request-scoped class). */
export function bindSseEndpoints(
  controller: object,
  registry: SseConnectionRegistry,
): void {
  registries.set(controller, registry);
}

/** The registry that serves `controller`'s SSE endpoints, if its application has the module. */
export function registryForController(
  controller: object,
): SseConnectionRegistry | undefined {
  return registries.get(controller) ?? registries.get(controller.constructor);
}
