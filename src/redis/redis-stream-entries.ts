/** A stream entry as ioredis returns it: its id, then its fields and values in turn. */
export type StreamEntry = [id: string, fields: string[]];

/** The position in a stream entry id `<position>-0`. */
export function positionOf(id: string): number {
  return Number.parseInt(id, 10);
}

/** One event of a channel's history stream, as the publish script wrote it (fields `p`, `t`, `e`). */
export interface ChannelStreamEvent {
  readonly position: number;
  /** Position of the channel's event before it. */
  readonly previous: number;
  /** When Redis took it, in ms. */
  readonly at: number;
  readonly payload: string;
}

/** Reads the entries of a channel's history stream. */
export function channelStreamEvents(
  entries: StreamEntry[],
): ChannelStreamEvent[] {
  return entries.map(([id, [, previous, , at, , payload]]) => ({
    position: positionOf(id),
    previous: Number(previous),
    at: Number(at),
    payload,
  }));
}

/**
 * Whether the events of a channel after `from` (read with `XRANGE (from +`)
 * lack some: the first one kept names a previous event after `from` that the
 * stream no longer has, as it was trimmed.
 */
export function lostSome(
  events: readonly ChannelStreamEvent[],
  from: number,
): boolean {
  return events.length > 0 && events[0].previous > from;
}
