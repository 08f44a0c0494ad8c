import type { SseDeliveryMode } from '../sse-delivery-mode.js';
import type { SseEventSchemas } from '../openapi/sse-event-schema.js';
import type { SseConnection } from '../connection/sse-connection.js';
import type { SseSlowClientOptions } from '../slow-client-options.interface.js';

/**
 * Options of `@SseEndpoint()`.
 * @publicApi
 */
export interface SseEndpointOptions {
  /**
   * Channels every connection joins before the handler runs, or a function
   * that returns them for a connection (for example from `conn.request`).
   * @default []
   */
  channels?:
    readonly string[] | ((connection: SseConnection) => readonly string[]);
  /**
   * Characters of events that may wait for a client that stopped reading (or
   * for its stream to start, or behind its replay) before its connection is
   * dropped (it then reconnects and is replayed what it missed), or, with
   * `slowClient: { policy: 'conflate' }`, before conflating no longer keeps it
   * under the limit. A client counts as not reading only while its socket is
   * still backed up at a later turn of the event loop: one turn's sends (a
   * burst) are not counted, nor are a replay's own events. Also passed to
   * Nest's `@Sse()`. `0` lifts the limit (the module's `maxPendingDataTotal`
   * still applies).
   * @default 4194304 (4M characters, as Nest's: room for a few of the largest events)
   */
  maxPendingDataLength?: number;
  /**
   * What happens to the events of a client that stops reading; a channel's
   * own `slowClient` option wins for that channel's events.
   * @default { policy: 'disconnect' }
   */
  slowClient?: SseSlowClientOptions;
  /**
   * Overrides the module's `delivery` for this endpoint.
   * @default the module's
   */
  delivery?: SseDeliveryMode;
  /**
   * Overrides the module's `retryMs` for this endpoint.
   * @default the module's `retryMs`
   */
  retryMs?: number;
  /**
   * The endpoint's events, by type, for the OpenAPI document when the
   * application uses `@nestjs/swagger` (`{ new_order: OrderDto, connected:
   * String }`); `SseEventMapOf<typeof events>` types `send` from the same
   * declaration. Without `@nestjs/swagger` it is not used.
   * @default undefined (documented as a stream of events of any type)
   */
  events?: SseEventSchemas;
}
