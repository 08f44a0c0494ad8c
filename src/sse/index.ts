export { SseModule } from './sse.module.js';
export type { SseModuleOptions } from './sse-module-options.interface.js';
export type { SseHistoryOptions } from './history/history-options.interface.js';
export {
  SSE_DELIVERY_MODES,
  DEFAULT_SSE_DELIVERY_MODE,
  type SseDeliveryMode,
} from './sse-delivery-mode.js';
export type { SseSlowClientOptions } from './slow-client-options.interface.js';
export { ChannelService } from './channels/channel.service.js';
export { SseChannel } from './channels/channel.js';
export type { SseChannelOptions } from './channels/channel-options.interface.js';
export type {
  SseFollowListener,
  SseFollowedEvent,
  SseFollowedEventOf,
  SseFollowing,
} from './channels/followed-event.js';
export { SseEndpoint } from './decorators/sse-endpoint.decorator.js';
export { SsePosition } from './snapshot/sse-position.decorator.js';
export { SSE_POSITION_HEADER } from './sse.constants.js';
export type { SseEndpointOptions } from './endpoints/sse-endpoint-options.interface.js';
export {
  SseSend,
  SseClose,
  SseConnection,
} from './decorators/sse-params.decorator.js';
export type { SseEvent } from './sse-event.interface.js';
export type { SseEventMap, SseEventOf } from './sse-event-map.js';
export type {
  SseEventSchema,
  SseEventSchemas,
  SseEventMapOf,
} from './openapi/sse-event-schema.js';
export {
  defineChannel,
  type SseChannelDefinition,
} from './channels/channel-definition.js';
export { isSseEndpoint } from './endpoints/is-sse-endpoint.js';
export { SseError } from './errors/sse.error.js';
export { SseOptionsError } from './errors/sse-options.error.js';
export { SseEventError } from './errors/sse-event.error.js';
export { SseChannelNameError } from './errors/sse-channel-name.error.js';
export { SseModuleMissingError } from './errors/sse-module-missing.error.js';
export { SseTransport } from './transport/sse-transport.js';
export type {
  SseTransportHealth,
  ChannelEventDraft,
  ReplayResult,
} from './transport/sse-transport.js';
export type { TransportSink } from './transport/transport-sink.js';
export type { ChannelMessage } from './protocol/sse-message.js';
export type { HistoryLimits } from './history/history-limits.js';
export {
  formatEventId,
  parseEventId,
  newEventEpoch,
  MAX_EVENT_ID_LENGTH,
} from './history/event-id.js';
export { InMemoryTransport } from './transport/in-memory.transport.js';
export { SseTransportError } from './errors/sse-transport.error.js';
export { SseStats } from './stats/sse-stats.service.js';
export type { SseStatsSnapshot } from './stats/sse-stats-snapshot.interface.js';
