import type { DeliveredEvent } from '../connection/delivered-event.js';

/** What a channel needs of a connection to deliver to it. */
export interface ChannelMember {
  /** Queues an event (shared by every member it goes to); `false` when the connection is closed. */
  deliver(event: DeliveredEvent): boolean;
  /** Sends the client a reset event: it missed events of the channel that cannot be replayed. */
  sendReset(): void;
}
