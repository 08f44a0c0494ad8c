/**
 * Names of forgotten channels remembered exactly: beyond it, the oldest are
 * folded into {@link FORGOTTEN_SLOTS}. A name is at most 200 characters, so
 * this is at most about 4 MB, and about 0.5 MB for names like `user:123456`.
 */
export const MAX_RECENTLY_FORGOTTEN = 10_000;

/**
 * Slots the older forgotten channels share, by a hash of their name (32 KB).
 * A client is reset by mistake only when it comes back from before the last
 * {@link MAX_RECENTLY_FORGOTTEN} forgotten channels and one of them that lost
 * events after its position shares a slot with one of its channels: about
 * 1 in 4 096 per such channel.
 */
export const FORGOTTEN_SLOTS = 4096;

/**
 * Where the histories of forgotten channels ended. A channel with neither
 * members nor history is forgotten, but a client that was on it may come back
 * from before events it no longer keeps: it must get a reset, and the clients
 * of every other channel must not. Memory stays bounded however many channels
 * are forgotten: the newest are remembered by name, the older ones by a hash
 * of it, which may reset a client whose channel shares its slot, never miss
 * one whose channel lost events.
 */
export class ForgottenHistories {
  /** Recently forgotten channels, oldest first, with the newest position each lost. */
  private readonly recent = new Map<string, number>();
  /** The newest position lost by the older ones, by slot; allocated when first needed. */
  private slots: Float64Array | undefined;

  constructor(private readonly maxRecent = MAX_RECENTLY_FORGOTTEN) {}

  /** Number of channels remembered by name. */
  get size(): number {
    return this.recent.size;
  }

  /** Notes that `channel`'s history was forgotten after losing the events up to `position`. */
  add(channel: string, position: number): void {
    if (position === 0) return;
    const known = this.recent.get(channel) ?? 0;
    this.recent.delete(channel);
    this.recent.set(channel, Math.max(known, position));
    if (this.recent.size <= this.maxRecent) return;
    const [oldest, lost] = this.recent.entries().next().value!;
    this.recent.delete(oldest);
    this.slots ??= new Float64Array(FORGOTTEN_SLOTS);
    const slot = slotOf(oldest);
    this.slots[slot] = Math.max(this.slots[slot], lost);
  }

  /**
   * The newest position `channel` may have lost, and forgets it by name: the
   * caller starts a new history of `channel` that carries it on.
   */
  take(channel: string): number {
    const lost = this.lostUpTo(channel);
    this.recent.delete(channel);
    return lost;
  }

  /** The newest position `channel` may have lost; `0` if none. */
  lostUpTo(channel: string): number {
    const byName = this.recent.get(channel) ?? 0;
    return this.slots ? Math.max(byName, this.slots[slotOf(channel)]) : byName;
  }
}

/** FNV-1a over the UTF-16 code units of `name`, reduced to a slot. */
function slotOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % FORGOTTEN_SLOTS;
}
