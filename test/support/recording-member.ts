import type { ChannelMember } from '../../src/sse/channels/channel-member.js';
import type { DeliveredEvent } from '../../src/sse/connection/delivered-event.js';
import type { ChannelMessage } from '../../src/sse/protocol/sse-message.js';

/** A connection as the channel registry sees it, recording what it is given and when it is reset. */
export class RecordingMember implements ChannelMember {
  /** What it received, with `'reset'` where it was told it missed events. */
  readonly log: Array<ChannelMessage | 'reset'> = [];

  deliver(event: DeliveredEvent): boolean {
    this.log.push(event.message);
    return true;
  }

  sendReset(): void {
    this.log.push('reset');
  }

  get received(): ChannelMessage[] {
    return this.log.filter(
      (entry): entry is ChannelMessage => entry !== 'reset',
    );
  }

  get resets(): number {
    return this.log.length - this.received.length;
  }

  get data(): string[] {
    return this.received.map((message) => message.data);
  }
}
