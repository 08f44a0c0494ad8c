import type { SseHistoryOptions } from '../history/history-options.interface.js';
import type { SseSlowClientOptions } from '../slow-client-options.interface.js';

/**
 * Options of one channel, given to `channels.channel(name, options)`. They
 * stay in force for the channel until given again.
 * @publicApi
 */
export interface SseChannelOptions {
  /** Overrides the module's `history` for this channel. */
  history?: SseHistoryOptions;
  /** How this channel's events wait for a client that stopped reading. */
  slowClient?: SseSlowClientOptions;
}
