import { Injectable } from '@nestjs/common';
import type { SseMessage } from './protocol/sse-message.js';
import type { ChannelMember } from './channel-member.js';

/**
 * The members of every channel of the application.
 *
 * A channel is kept here only while it has members: a channel per user (such
 * as `user:42`) must not outlive its user's connections. The {@link SseChannel}
 * handles that services hold stay valid, as they look their channel up by name.
 * Joining and leaving are O(1).
 */
@Injectable()
export class ChannelRegistry {
  private readonly members = new Map<string, Set<ChannelMember>>();

  /** Adds `member` to channel `name`; `false` if it was a member already. */
  join(name: string, member: ChannelMember): boolean {
    let set = this.members.get(name);
    if (!set) {
      set = new Set();
      this.members.set(name, set);
    }
    if (set.has(member)) return false;
    set.add(member);
    return true;
  }

  /** Removes `member` from channel `name`; `false` if it was not a member. */
  leave(name: string, member: ChannelMember): boolean {
    const set = this.members.get(name);
    if (!set?.delete(member)) return false;
    if (set.size === 0) this.members.delete(name);
    return true;
  }

  /** Queues `message` for every member of channel `name`; returns for how many it was queued. */
  deliver(name: string, message: SseMessage): number {
    const set = this.members.get(name);
    if (!set) return 0;
    let queued = 0;
    // A delivery can drop a member that stopped reading, which removes it from
    // `set` during the loop; a Set's iterator skips removed entries.
    for (const member of set) {
      if (member.deliver(message)) queued++;
    }
    return queued;
  }

  /** Number of members of channel `name`. */
  count(name: string): number {
    return this.members.get(name)?.size ?? 0;
  }

  /** Names of the channels that have at least one member. */
  names(): string[] {
    return [...this.members.keys()];
  }
}
