import { Injectable } from '@nestjs/common';
import type { SseChannelDefinition } from './channel-definition.js';
import { assertChannelName } from './channel-name.js';
import type { SseChannelOptions } from './channel-options.interface.js';
import { ChannelRegistry } from './channel.registry.js';
import { SseChannel } from './channel.js';
import type { SseEventMap } from '../sse-event-map.js';

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
   * one nobody listens to reaches nobody but its history. Throws an
   * `SseChannelNameError` for a name that is empty, over 200 characters or that
   * contains control characters.
   * @param options applied to the channel from now on (its history, its
   * slow-client policy); omit them to leave the channel as it is. A channel
   * with neither subscribers nor history is forgotten, its options with it;
   * the returned channel applies them again when it sends.
   * @typeParam TEvents the channel's event map, which `send` then checks.
   */
  channel<TEvents extends SseEventMap = never>(
    name: string,
    options?: SseChannelOptions,
  ): SseChannel<TEvents>;
  /** Returns the channel of a {@link defineChannel} definition, typed by it, applying its options. */
  channel<TEvents extends SseEventMap>(
    definition: SseChannelDefinition<TEvents>,
  ): SseChannel<TEvents>;
  channel(
    nameOrDefinition: string | SseChannelDefinition<SseEventMap>,
    options?: SseChannelOptions,
  ): SseChannel<SseEventMap> {
    const isDefinition =
      typeof nameOrDefinition === 'object' && nameOrDefinition !== null;
    const name = isDefinition ? nameOrDefinition.name : nameOrDefinition;
    const channelOptions = isDefinition ? nameOrDefinition.options : options;
    assertChannelName(name);
    const settings =
      channelOptions === undefined
        ? undefined
        : this.registry.configure(name, channelOptions);
    return new SseChannel(name, this.registry, settings);
  }

  /** Names of the channels that have subscribers or history now. */
  names(): string[] {
    return this.registry.names();
  }
}
