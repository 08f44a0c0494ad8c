/**
 * One event as an EventSource dispatches it.
 * @publicApi
 */
export interface ParsedSseEvent {
  /** The `event:` field, or `message`. */
  readonly type: string;
  /** The `data:` lines, joined with `\n`. */
  readonly data: string;
  /** The last event id after this event (an EventSource's `lastEventId`). */
  readonly lastEventId: string;
}

/**
 * Parses an event stream as the HTML standard's EventSource does
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end with CRLF, LF or CR; comments are skipped; at a blank line the
 * last event id is set from the id buffer, and an event is dispatched if it
 * has data; `id` sets the id buffer unless it contains NUL. So a frame with an
 * `id` and no data (`retry: 3000\nid: 5\n\n`) moves the last event id too.
 * @publicApi
 */
export class SseStreamParser {
  private buffer = '';
  /** Whether the previous chunk ended with CR, whose LF may start this one. */
  private pendingCr = false;
  private data: string[] = [];
  private type = '';
  private idBuffer: string;
  private lastId: string;
  /** The newest `retry:` value, in ms. */
  retry: number | undefined;

  /**
   * @param lastEventId the last event id before this stream (the one a
   * reconnecting EventSource sent), which it keeps until the stream sets one.
   */
  constructor(
    private readonly dispatch: (event: ParsedSseEvent) => void,
    lastEventId = '',
  ) {
    this.idBuffer = lastEventId;
    this.lastId = lastEventId;
  }

  /** The last event id, as an EventSource holds it: what it would send on reconnecting. */
  get lastEventId(): string {
    return this.lastId;
  }

  /** Feeds decoded text; dispatches every event it completes. */
  push(text: string): void {
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') return this.endOfEvent();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value))
      this.retry = Number(value);
  }

  private endOfEvent(): void {
    this.lastId = this.idBuffer;
    const data = this.data;
    const type = this.type;
    this.data = [];
    this.type = '';
    if (data.length === 0) return;
    this.dispatch({
      type: type || 'message',
      data: data.join('\n'),
      lastEventId: this.lastId,
    });
  }
}
