import { ServerResponse } from 'node:http';
import { SHARED_READ_MS } from '../channels/shared-history-reads.js';
import { formatSseFrame } from '../protocol/sse-frame.js';
import {
  DeliveredEvent,
  messageOf,
  type OutgoingMessage,
} from './delivered-event.js';

/** The response of a connection, as far as direct delivery needs it. */
export interface DirectResponse {
  readonly headersSent: boolean;
  readonly chunkedEncoding?: boolean;
  readonly socket?: DirectSocket | null;
  write(chunk: Buffer | string): boolean;
}

/** The socket of a response, as far as direct delivery needs it. */
interface DirectSocket {
  readonly writableCorked: number;
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
}

const CRLF = '\r\n';

/**
 * Writes messages' wire text to a connection once Nest has sent the response
 * headers (`delivery: 'direct'`). A channel event's text is made once, for
 * every connection it goes to.
 *
 * When the response is a plain HTTP/1.1 chunked one, each message goes to the
 * socket as one HTTP chunk, made once too. Writing through the response would
 * be the same bytes, but Express changes the prototype of every response,
 * which puts it in V8's slow mode: each write through it then costs about as
 * much as the rest of a delivery (see bench/README.md). Anything else (a
 * response whose `write` was replaced, by a compression middleware say)
 * is written through the response. So is an HTTP/2 response, which has no
 * chunked encoding: its messages go to its own stream as DATA frames (its
 * `socket` is the TLS socket every stream of the session shares, which Node
 * forbids writing to).
 *
 * A channel event's wire text is kept on its {@link DeliveredEvent} (which
 * the queues of clients that are behind share) only until the end of the
 * turn it was made in: the sockets hold it until the kernel has taken it, and
 * keeping it longer would double the memory of what waits. An event written
 * again later (a client that was behind) has it made again, once per turn.
 * A replayed event's text is kept for {@link REPLAYED_TEXT_MS} instead: the
 * clients of a reconnect storm replay the same events over a few seconds,
 * each in a turn of its own.
 */
export class DirectWriter {
  private readonly socket: DirectSocket | undefined;

  constructor(private readonly response: DirectResponse) {
    const plainChunked =
      response.chunkedEncoding === true &&
      response.write === ServerResponse.prototype.write &&
      response.socket;
    this.socket = plainChunked ? response.socket! : undefined;
  }

  /** Writes one message's wire text (a channel event's made once per turn for every connection). */
  write(message: OutgoingMessage): void {
    const socket = this.socket;
    if (!socket) {
      this.response.write(frameOf(message));
      return;
    }
    // As Node does for a response: the writes of one turn leave in one writev.
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(uncork, socket);
    }
    socket.write(chunkOf(message));
  }
}

function uncork(socket: DirectSocket): void {
  socket.uncork();
}

/** Channel events whose wire text was kept this turn, to forget at its end. */
let madeThisTurn: DeliveredEvent[] = [];

/**
 * How long a replayed event's wire text is kept: as long as a history read
 * is shared, so that the clients served by one read write the same text,
 * with one timer for all of it.
 */
export const REPLAYED_TEXT_MS = SHARED_READ_MS;
/**
 * At most this much replayed wire text is kept so (beyond it, a replayed
 * event's text is made once per turn, as a live event's): a reconnect storm's
 * missed events (100 of 150 bytes in the benchmark's) fit many times over,
 * and a replay of megabytes to a client that stops reading is still not held
 * in memory (test/e2e/faults/replay-past-limit).
 */
export const REPLAYED_TEXT_BYTES = 256 * 1024;
/** Replayed events whose wire text is kept, to forget {@link REPLAYED_TEXT_MS} after the first. */
let keptForReplays: DeliveredEvent[] = [];
let keptForReplaysBytes = 0;

function forgetKeptForReplays(): void {
  const events = keptForReplays;
  keptForReplays = [];
  keptForReplaysBytes = 0;
  forgetWireText(events);
}

function forgetMadeThisTurn(): void {
  const events = madeThisTurn;
  madeThisTurn = [];
  forgetWireText(events);
}

function forgetWireText(events: readonly DeliveredEvent[]): void {
  for (const event of events) {
    event.frame = undefined;
    event.chunk = undefined;
  }
}

/**
 * Notes that `event`'s wire text (`bytes` long), about to be kept on it, is
 * to be forgotten at the end of the turn, or a replayed event's
 * {@link REPLAYED_TEXT_MS} later while {@link REPLAYED_TEXT_BYTES} allow.
 */
function keepWireText(event: DeliveredEvent, bytes: number): void {
  if (event.frame || event.chunk) return;
  if (event.replayed && keptForReplaysBytes + bytes <= REPLAYED_TEXT_BYTES) {
    if (keptForReplays.length === 0)
      setTimeout(forgetKeptForReplays, REPLAYED_TEXT_MS).unref();
    keptForReplays.push(event);
    keptForReplaysBytes += bytes;
    return;
  }
  if (madeThisTurn.length === 0) process.nextTick(forgetMadeThisTurn);
  madeThisTurn.push(event);
}

/** The wire text of a message; a channel event's is made once per turn and shared. */
function frameOf(message: OutgoingMessage): Buffer | string {
  if (!(message instanceof DeliveredEvent)) return formatSseFrame(message);
  if (message.frame) return message.frame;
  const frame = Buffer.from(formatSseFrame(message.message));
  keepWireText(message, frame.length);
  return (message.frame = frame);
}

/** The message as one HTTP/1.1 chunk: its length in hex, CRLF, the text, CRLF. */
function chunkOf(message: OutgoingMessage): Buffer {
  const shared = message instanceof DeliveredEvent ? message : undefined;
  if (shared?.chunk) return shared.chunk;
  const frame = Buffer.from(formatSseFrame(messageOf(message)));
  const chunk = Buffer.concat([
    Buffer.from(`${frame.length.toString(16)}${CRLF}`),
    frame,
    Buffer.from(CRLF),
  ]);
  if (shared) {
    keepWireText(shared, chunk.length);
    shared.chunk = chunk;
  }
  return chunk;
}
