import { randomBytes } from 'node:crypto';

/**
 * The longest `Last-Event-ID` worth parsing. Ours are far shorter; anything
 * longer is refused before it is looked at, so a hostile id costs nothing.
 * @publicApi
 */
export const MAX_EVENT_ID_LENGTH = 128;

// `<epoch>-<position>`: the epoch names the history the position belongs to,
// the position is a decimal sequence number (no sign, no leading zero, at most
// 16 digits). Only [A-Za-z0-9._~-] are used, so a cross-origin reconnect needs
// no CORS preflight.
const POSITION = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * A new epoch: 12 random hex digits naming a new history. A transport makes
 * one when its history starts, and a new one whenever the history is lost
 * (a restart, a broker that lost its data), so that the ids of the old
 * history are never read as positions of the new one.
 * @publicApi
 */
export function newEventEpoch(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The id of the event at `position` in the history `epoch`: `<epoch>-<position>`.
 * Every event that reaches a client carries one; it names the position in the
 * history of every channel the connection joined.
 * @publicApi
 */
export function formatEventId(epoch: string, position: number): string {
  return `${epoch}-${position}`;
}

/**
 * The position an id (a client's `Last-Event-ID`) names in the history
 * `epoch`, or `undefined` for an id that is malformed, too long, or from
 * another history. Never throws.
 * @publicApi
 */
export function parseEventId(
  id: string | undefined,
  epoch: string,
): number | undefined {
  if (typeof id !== 'string' || id.length > MAX_EVENT_ID_LENGTH)
    return undefined;
  if (!id.startsWith(epoch) || id[epoch.length] !== '-') return undefined;
  const digits = id.slice(epoch.length + 1);
  if (!POSITION.test(digits)) return undefined;
  const position = Number(digits);
  return Number.isSafeInteger(position) ? position : undefined;
}
