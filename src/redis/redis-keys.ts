/**
 * The Redis keys of one application, all under its prefix. Channel names are
 * only ever parts of key names, never patterns: no KEYS, SCAN or PSUBSCRIBE.
 */
export class RedisKeys {
  /** The history's id (the epoch of event ids); a new one after Redis loses its data. */
  readonly epoch: string;
  /** The counter that gives every event its position. */
  readonly position: string;
  /** Every event of every channel, in position order: what each instance reads. */
  readonly events: string;
  /** Live instances, scored by when they expire. */
  readonly instances: string;
  /**
   * The position the current history's events come after: 0, or the newest
   * position Redis still had when it was found to have lost later ones.
   */
  readonly start: string;

  constructor(readonly prefix: string) {
    this.epoch = `${prefix}epoch`;
    this.position = `${prefix}position`;
    this.events = `${prefix}events`;
    this.instances = `${prefix}instances`;
    this.start = `${prefix}start`;
  }

  /** One channel's history. */
  channel(name: string): string {
    return `${this.prefix}channel:${name}`;
  }

  /** The member counts of one instance, by channel. */
  members(instanceId: string): string {
    return `${this.prefix}members:${instanceId}`;
  }

  /** The last send of one instance that Redis has taken, so a retried one is not taken twice. */
  sent(instanceId: string): string {
    return `${this.prefix}sent:${instanceId}`;
  }
}
