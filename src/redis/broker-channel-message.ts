import type {
  ChannelEventDraft,
  ChannelMessage,
  SseEvent,
} from '../sse/index.js';

/**
 * How an event travels through Redis: a JSON array of its encoded parts,
 * `[type, data, retry, conflationKey, dataIsText]`, made once per send.
 */
export function encodeBrokerPayload(event: ChannelEventDraft): string {
  return JSON.stringify([
    event.type ?? null,
    event.data,
    event.retry ?? null,
    event.conflationKey ?? null,
    typeof event.source.data === 'string' ? 1 : 0,
  ]);
}

/**
 * A channel event read from Redis: made once per instance and shared by every
 * local subscriber, like an event sent in this process.
 */
export class BrokerChannelMessage implements ChannelMessage {
  readonly type?: string;
  readonly retry?: number;
  readonly data: string;
  readonly conflationKey?: string;
  private readonly dataIsText: boolean;
  private sourceEvent?: SseEvent;

  constructor(
    readonly id: string,
    readonly position: number,
    payload: string,
  ) {
    const [type, data, retry, conflationKey, dataIsText] = JSON.parse(
      payload,
    ) as [string | null, string, number | null, string | null, 0 | 1];
    this.type = type ?? undefined;
    this.data = data;
    this.retry = retry ?? undefined;
    this.conflationKey = conflationKey ?? undefined;
    this.dataIsText = dataIsText === 1;
  }

  /** The event as it was sent, rebuilt only if an endpoint's `conflateKey` asks for it. */
  get source(): SseEvent {
    return (this.sourceEvent ??= {
      type: this.type,
      data: this.dataIsText ? this.data : JSON.parse(this.data),
      retry: this.retry,
    });
  }
}
