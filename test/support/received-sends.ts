import type { SseTestEvent } from '../../src/testing/index.js';

/** What these checks read of an event a client received. */
export type ReceivedEvent = Pick<SseTestEvent, 'type' | 'data' | 'lastEventId'>;

/**
 * What a client received of one run of sends (test/processes/paced-sends.ts:
 * data `<prefix>:<sequence>`), checked against the sends that were accepted:
 * "every event, in order, or a reset, never a silent gap".
 */

/** How a part after a reset may start. */
export type AfterReset =
  /** Only with sends after every one received before: the history went on (same epoch). */
  | 'later-only'
  /**
   * Anywhere: the history restarted (Redis lost its data), so a send Redis had
   * taken but whose answer was lost with it is published again in the new
   * history, and a client may receive it on both sides of its reset.
   */
  | 'may-repeat';

export interface SilentGapOptions {
  afterReset: AfterReset;
  /** The first of the sends that must reach the client in its last part, and every accepted one after it. */
  mustInclude?: number;
  resetType?: string;
}

/** The sequence numbers a client received of `prefix`'s sends, in parts cut by its reset events. */
export function receivedParts(
  events: readonly ReceivedEvent[],
  prefix: string,
  resetType = 'reset',
): number[][] {
  const parts: number[][] = [[]];
  for (const event of events) {
    if (event.type === resetType) parts.push([]);
    else if (event.data.startsWith(`${prefix}:`))
      parts[parts.length - 1].push(Number(event.data.slice(prefix.length + 1)));
  }
  return parts;
}

/**
 * `1-40, 42-100`: a part as runs of sends that follow each other in `accepted`
 * (`?41` for one that was never accepted), so a failure shows where it broke.
 */
export function describePart(
  part: readonly number[],
  accepted: readonly number[],
): string {
  const index = indexer(accepted);
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= part.length; i++) {
    const previous = index(part[i - 1]);
    if (
      i < part.length &&
      previous !== undefined &&
      index(part[i]) === previous + 1
    )
      continue;
    const [first, last] = [part[start], part[i - 1]];
    runs.push(
      index(first) === undefined
        ? `?${first}`
        : first === last
          ? `${first}`
          : `${first}-${last}`,
    );
    start = i;
  }
  return runs.join(', ') || '(none)';
}

/**
 * Why what a client received breaks the rule, or `undefined` when it holds:
 * before its first reset, the first accepted sends, in order, none twice or
 * missing; after each reset, a run of consecutive accepted sends (see
 * `afterReset` for where it may start); and its last part ends with the last
 * accepted send (and holds every send from `mustInclude` on).
 */
export function silentGapIn(
  events: readonly ReceivedEvent[],
  prefix: string,
  accepted: readonly number[],
  options: SilentGapOptions,
): string | undefined {
  const parts = receivedParts(events, prefix, options.resetType);
  if (accepted.length === 0)
    return parts.every((part) => part.length === 0)
      ? undefined
      : `${prefix}: events received, none accepted`;
  const index = indexer(accepted);
  const received = parts
    .map((part) => describePart(part, accepted))
    .join(' | reset | ');
  const fail = (why: string) =>
    `${why}; accepted ${describePart(accepted, accepted)}, received ${received}`;
  let previousEnd = 0;
  for (const [p, part] of parts.entries()) {
    if (part.length === 0) continue;
    const stranger = part.find((sequence) => index(sequence) === undefined);
    if (stranger !== undefined)
      return fail(`${prefix}:${stranger} was received but never accepted`);
    const start = index(part[0])!;
    if (p === 0 && start !== 0) return fail('the first events are missing');
    if (p > 0 && options.afterReset === 'later-only' && start < previousEnd)
      return fail('an event came again after a reset');
    for (let i = 1; i < part.length; i++) {
      if (index(part[i]) !== start + i)
        return fail(`a gap, a repeat or a swap after ${prefix}:${part[i - 1]}`);
    }
    previousEnd = start + part.length;
  }
  const last = parts[parts.length - 1];
  if (
    last.length === 0 ||
    index(last[last.length - 1]) !== accepted.length - 1
  ) {
    return fail('the last events are missing');
  }
  if (options.mustInclude !== undefined) {
    const mustStart = accepted.findIndex(
      (sequence) => sequence >= options.mustInclude!,
    );
    if (mustStart !== -1 && index(last[0])! > mustStart)
      return fail(`sends from ${prefix}:${options.mustInclude} on are missing`);
  }
  return undefined;
}

/**
 * The first event whose id is not after the one before it, or `undefined`
 * when every id is. Ids are `<epoch>-<position>`; a reset carries the
 * position the client is at (the id before it), or starts a new epoch.
 */
export function idOutOfOrder(
  events: readonly ReceivedEvent[],
  resetType = 'reset',
): ReceivedEvent | undefined {
  let [epoch, position] = ['', -1];
  for (const event of events) {
    const [eventEpoch, text] = event.lastEventId.split('-');
    const eventPosition = Number(text);
    const reset = event.type === resetType;
    if (
      eventEpoch === epoch &&
      (eventPosition < position || (eventPosition === position && !reset))
    )
      return event;
    [epoch, position] = [eventEpoch, eventPosition];
  }
  return undefined;
}

function indexer(
  accepted: readonly number[],
): (sequence: number) => number | undefined {
  const positions = new Map(accepted.map((sequence, i) => [sequence, i]));
  return (sequence) => positions.get(sequence);
}
