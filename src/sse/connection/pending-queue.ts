import { messageOf, type OutgoingMessage } from './delivered-event.js';

/**
 * Messages waiting for a client, in the order they were queued, with at most
 * one per conflation key: a message queued with the key of a waiting one
 * replaces it (the older one is let go, not marked) and takes its place at the
 * back. So a conflating queue holds at most one message per key, plus those
 * without a key, however many were queued.
 */
export class PendingQueue {
  /**
   * The waiting messages by conflation key; one without a key gets a number
   * of its own (a Map tells `1` from `'1'`). A Map keeps insertion order, and
   * deleting then setting a key moves it to the back: the queue's order.
   */
  private readonly messages = new Map<string | number, OutgoingMessage>();
  private nextUnkeyed = 0;
  private characters = 0;

  /** The characters of what waits, counted by {@link sizeOf}. */
  get size(): number {
    return this.characters;
  }

  /** How many messages wait. */
  get length(): number {
    return this.messages.size;
  }

  /** Lets go of the waiting message with conflation key `key`, if any; returns its size. */
  remove(key: string | undefined): number {
    if (key === undefined) return 0;
    const message = this.messages.get(key);
    if (message === undefined) return 0;
    this.messages.delete(key);
    const size = sizeOf(message);
    this.characters -= size;
    return size;
  }

  /** Queues `message` at the back; call {@link remove} with its key first. */
  add(message: OutgoingMessage, key: string | undefined): void {
    this.messages.set(key ?? this.nextUnkeyed++, message);
    this.characters += sizeOf(message);
  }

  /** Hands the messages at the front to `take`, oldest first, while `canTake()` holds. */
  takeWhile(
    canTake: () => boolean,
    take: (message: OutgoingMessage, size: number) => void,
  ): void {
    // Deleting the entry being visited is safe: a Map's iterator goes on with the next.
    for (const [key, message] of this.messages) {
      if (!canTake()) return;
      this.messages.delete(key);
      const size = sizeOf(message);
      this.characters -= size;
      take(message, size);
    }
  }
}

/**
 * What a waiting message counts for: its characters, and at least 16, as Nest
 * counts them (an event with no data still takes memory).
 */
export function sizeOf(item: OutgoingMessage): number {
  const message = messageOf(item);
  // 16: Nest's own floor for a message's size.
  return Math.max(
    16,
    (message.data?.length ?? 0) +
      (message.type?.length ?? 0) +
      (message.id?.length ?? 0),
  );
}
