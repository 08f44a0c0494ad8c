import { formatSseFrame } from '../protocol/sse-frame.js';
import type { ChannelMessage, SseMessage } from '../protocol/sse-message.js';

/**
 * One channel event on its way to the connections of this process: made once
 * per event delivered (by the channel registry, for every member of the
 * channel; or once per event replayed, see {@link replayedEventOf}) and shared
 * by every connection it goes to, so that what writing it costs is worked out
 * once, not once per connection. The {@link ChannelMessage} itself is the
 * transport's and the history's; what only the writing side needs lives here.
 *
 * The wire text kept here (`frame`, `chunk`) is let go at the end of the turn
 * it was made in (see `DirectWriter`): the sockets hold it until the kernel
 * has taken it, and a client that is behind keeps this object in its queue,
 * so keeping the text longer would double the memory of what waits.
 */
export class DeliveredEvent {
  /**
   * Its wire text, made by the first connection that writes it directly
   * (`delivery: 'direct'`) and shared by the others, until the end of the turn.
   */
  frame: Buffer | undefined = undefined;
  /** The same as one HTTP/1.1 chunk, for connections whose socket takes it directly; kept as long. */
  chunk: Buffer | undefined = undefined;
  /** UTF-8 bytes of its wire text, for the statistics; `-1` until worked out. */
  private bytes = -1;

  /**
   * @param replayed whether it is a replayed event ({@link replayedEventOf}):
   * its wire text is then kept a little longer (see `DirectWriter`).
   */
  constructor(
    readonly message: ChannelMessage,
    readonly replayed = false,
  ) {}

  /** UTF-8 bytes of its wire text, worked out once for every connection it goes to. */
  get wireBytes(): number {
    if (this.bytes < 0)
      this.bytes =
        this.frame?.length ?? Buffer.byteLength(formatSseFrame(this.message));
    return this.bytes;
  }
}

/** What a connection's outbox holds: a channel event shared with other connections, or a message of its own. */
export type OutgoingMessage = SseMessage | DeliveredEvent;

/** The message an outgoing item stands for, as Nest's pipeline takes it. */
export function messageOf(item: OutgoingMessage): SseMessage {
  return item instanceof DeliveredEvent ? item.message : item;
}

/**
 * Replayed events, shared by every connection that replays them while the
 * history keeps them: a storm of reconnections replaying the same events
 * works out their wire text and size once, not once per connection. Only a
 * few numbers stay per event (the wire text is let go a second after it was
 * made); the entry goes with the event when the history lets it go.
 */
const replayed = new WeakMap<ChannelMessage, DeliveredEvent>();

/** The shared {@link DeliveredEvent} of a replayed channel event. */
export function replayedEventOf(message: ChannelMessage): DeliveredEvent {
  let event = replayed.get(message);
  if (!event)
    replayed.set(message, (event = new DeliveredEvent(message, true)));
  return event;
}
