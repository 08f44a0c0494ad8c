import { Injectable } from '@nestjs/common';
import { assertChannelName } from './channel-name.js';
import { ChannelRegistry } from './channel.registry.js';
import { SseChannel } from './channel.js';

/**
 * Named channels that any provider can push events to.
 *
 * ```ts
 * constructor(private readonly channels: ChannelService) {}
 * this.channels.channel('orders').send({ type: 'new_order', data: order });
 * ```
 * @publicApi
 */
@Injectable()
export class ChannelService {
  constructor(private readonly registry: ChannelRegistry) {}

  /**
   * Returns the channel called `name`. A channel needs no creating: sending to
   * one nobody listens to reaches nobody. Throws an `SseChannelNameError` for a
   * name that is empty, over 200 characters or that contains control characters.
   */
  channel(name: string): SseChannel {
    assertChannelName(name);
    return new SseChannel(name, this.registry);
  }

  /** Names of the channels that have at least one subscriber now. */
  names(): string[] {
    return this.registry.names();
  }
}
