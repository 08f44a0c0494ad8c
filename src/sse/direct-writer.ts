import { ServerResponse } from 'node:http';
import { formatSseFrame } from './protocol/sse-frame.js';
import type { ChannelMessage, SseMessage } from './protocol/sse-message.js';

/** The response of a connection, as far as direct delivery needs it. */
export interface DirectResponse {
  readonly headersSent: boolean;
  readonly chunkedEncoding?: boolean;
  readonly socket?: DirectSocket | null;
  write(chunk: Buffer | string): boolean;
}

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
 * is written through the response.
 *
 * A channel event's wire text is kept on the event (which the channel's
 * history shares) only until the end of the turn it was made in: the sockets
 * hold it until the kernel has taken it, and the history keeps the event's
 * data, so keeping the wire text too would double the memory of the history.
 * An event written again later (a replay, a client that was behind) has it
 * made again, once per turn.
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

  write(message: SseMessage): void {
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

/** Channel events whose wire text was kept on them this turn, to forget at its end. */
let madeThisTurn: ChannelMessage[] = [];

function forgetMadeThisTurn(): void {
  const messages = madeThisTurn;
  madeThisTurn = [];
  for (const message of messages) {
    message.frame = undefined;
    message.chunk = undefined;
  }
}

/** Notes that `message`'s wire text, about to be kept on it, is to be forgotten at the end of the turn. */
function keepForTheTurn(message: ChannelMessage): void {
  if (message.frame || message.chunk) return;
  if (madeThisTurn.length === 0) process.nextTick(forgetMadeThisTurn);
  madeThisTurn.push(message);
}

/** The wire text of a message; a channel event's is made once per turn and shared. */
function frameOf(message: SseMessage): Buffer | string {
  const channelMessage = message as ChannelMessage;
  if (channelMessage.position === undefined) return formatSseFrame(message);
  if (channelMessage.frame) return channelMessage.frame;
  keepForTheTurn(channelMessage);
  return (channelMessage.frame = Buffer.from(formatSseFrame(message)));
}

/** The message as one HTTP/1.1 chunk: its length in hex, CRLF, the text, CRLF. */
function chunkOf(message: SseMessage): Buffer {
  const channelMessage = message as ChannelMessage;
  if (channelMessage.position !== undefined && channelMessage.chunk)
    return channelMessage.chunk;
  const frame = Buffer.from(formatSseFrame(message));
  const chunk = Buffer.concat([
    Buffer.from(`${frame.length.toString(16)}${CRLF}`),
    frame,
    Buffer.from(CRLF),
  ]);
  if (channelMessage.position !== undefined) {
    keepForTheTurn(channelMessage);
    channelMessage.chunk = chunk;
  }
  return chunk;
}
