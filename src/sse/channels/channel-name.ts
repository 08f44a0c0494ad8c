import { SseChannelNameError } from '../errors/sse-channel-name.error.js';
import { MAX_CHANNEL_NAME_LENGTH } from '../sse.constants.js';
import { MESSAGES } from '../sse.messages.js';

// C0 controls, DEL and C1 controls: invisible in logs, and a line break would
// forge log lines. Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws an {@link SseChannelNameError} unless `name` is a valid channel name. */
export function assertChannelName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new SseChannelNameError(MESSAGES.channelNameNotString(name));
  }
  if (name.length === 0 || name.length > MAX_CHANNEL_NAME_LENGTH) {
    throw new SseChannelNameError(
      MESSAGES.channelNameLength(name.length, MAX_CHANNEL_NAME_LENGTH),
    );
  }
  if (CONTROL_CHARACTER.test(name)) {
    throw new SseChannelNameError(MESSAGES.channelNameControlCharacter(name));
  }
  // A lone surrogate has no UTF-8 encoding: Redis (through ioredis) would get
  // U+FFFD instead, so `room:\ud800` and `room:\ufffd` would share one key and
  // each other's events there, while they stay apart in memory.
  if (!name.isWellFormed()) {
    throw new SseChannelNameError(MESSAGES.channelNameNotWellFormed(name));
  }
}
