import { randomBytes } from 'node:crypto';

/**
 * The longest `Last-Event-ID` worth parsing. Ours are far shorter; anything
 * longer is refused before it is looked at, so a hostile id costs nothing.
 */
export const MAX_EVENT_ID_LENGTH = 128;

// `<epoch>-<position>`: the epoch names the history the position belongs to
// (a new one per process), the position is a decimal sequence number. Only
// [A-Za-z0-9._~-] are used, so a cross-origin reconnect needs no CORS preflight.
const EVENT_ID = /^([0-9a-f]{12})-(0|[1-9][0-9]{0,15})$/;

/**
 * Event ids of one history. Every event that reaches a client carries one; it
 * names the position in the history of every channel the connection joined.
 */
export class EventIds {
  constructor(
    /** Identifies this history; an id from another one is never read as a position here. */
    readonly epoch: string = randomBytes(6).toString('hex'),
  ) {}

  format(position: number): string {
    return `${this.epoch}-${position}`;
  }

  /**
   * The position an id names, or `undefined` for an id that is malformed, too
   * long, or from another history. Never throws.
   */
  parse(id: string | undefined): number | undefined {
    if (typeof id !== 'string' || id.length > MAX_EVENT_ID_LENGTH)
      return undefined;
    const match = EVENT_ID.exec(id);
    if (!match || match[1] !== this.epoch) return undefined;
    const position = Number(match[2]);
    return Number.isSafeInteger(position) ? position : undefined;
  }
}
