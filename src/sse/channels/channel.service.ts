import { Injectable } from '@nestjs/common';
import type { SseChannelDefinition } from './channel-definition.js';
import { assertChannelName } from './channel-name.js';
import type { SseChannelOptions } from './channel-options.interface.js';
import { ChannelRegistry } from './channel.registry.js';
import { SseChannel } from './channel.js';
import { SseChannelNameError } from '../errors/sse-channel-name.error.js';
import { MESSAGES } from '../sse.messages.js';
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

  /**
   * The id of "now" for `channels`: the id of the newest event this instance
   * has delivered, of any channel (`0` in the current epoch before any). A
   * client that gives it as its `Last-Event-ID` (or `?lastEventId=`) gets
   * every event of these channels sent after it, once, and none before, as
   * long as history still holds them; the same on every instance with Redis
   * (one sequence, one epoch). Synchronous, so that a handler reads it in the
   * same step as the state it returns with it: see "Loading a page: the
   * snapshot pattern" in docs/delivery-guarantees.md, and {@link SsePosition}
   * to put it on a response's header.
   *
   * Every channel shares one sequence, so the id is the same for any set of
   * channels; they are named so that the call says what the snapshot covers,
   * and checked: throws an `SseChannelNameError` when none is given or one is
   * not a channel name. A channel that has had no event yet is fine: its next
   * event comes after the id.
   */
  position(
    ...channels: [
      string | SseChannelDefinition<SseEventMap>,
      ...Array<string | SseChannelDefinition<SseEventMap>>,
    ]
  ): string {
    if (channels.length === 0)
      throw new SseChannelNameError(MESSAGES.positionWithoutChannel);
    for (const channel of channels)
      assertChannelName(
        typeof channel === 'object' && channel !== null
          ? channel.name
          : channel,
      );
    return this.registry.position();
  }

  /** Names of the channels that have subscribers or history now. */
  names(): string[] {
    return this.registry.names();
  }
}
