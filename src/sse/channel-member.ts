import type { ChannelMessage } from './protocol/sse-message.js';

/** What a channel needs of a connection to deliver to it. */
export interface ChannelMember {
  /** Queues a message; `false` when the connection is closed. */
  deliver(message: ChannelMessage): boolean;
  /** Tells the client it missed events that cannot be replayed (a reset event). */
  missed(): void;
}
