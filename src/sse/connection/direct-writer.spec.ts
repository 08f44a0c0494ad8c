import { jest } from '@jest/globals';
import { ServerResponse } from 'node:http';
import type { ChannelMessage } from '../protocol/sse-message.js';
import { DeliveredEvent, replayedEventOf } from './delivered-event.js';
import {
  DirectWriter,
  REPLAYED_TEXT_BYTES,
  REPLAYED_TEXT_MS,
} from './direct-writer.js';

/** A plain chunked HTTP/1.1 response whose socket records what it is given. */
function recordingResponse() {
  const written: Buffer[] = [];
  const socket = {
    writableCorked: 0,
    cork: () => undefined,
    uncork: () => undefined,
    write: (chunk: Buffer) => written.push(chunk) > 0,
  };
  const response = {
    headersSent: true,
    chunkedEncoding: true,
    socket,
    write: ServerResponse.prototype.write,
  };
  return { response, written };
}

const message = (position: number): ChannelMessage => ({
  id: `e-${position}`,
  position,
  type: 'tick',
  data: String(position),
  source: { type: 'tick', data: position },
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('DirectWriter', () => {
  afterEach(() => jest.useRealTimers());

  it('writes one HTTP/1.1 chunk per message, byte for byte', () => {
    const { response, written } = recordingResponse();
    new DirectWriter(response).write(new DeliveredEvent(message(7)));
    expect(Buffer.concat(written).toString()).toBe(
      '1d\r\nevent: tick\nid: e-7\ndata: 7\n\n\r\n',
    );
  });

  it("shares a live event's chunk between connections in its turn only", async () => {
    const a = recordingResponse();
    const b = recordingResponse();
    const event = new DeliveredEvent(message(1));
    new DirectWriter(a.response).write(event);
    new DirectWriter(b.response).write(event);
    expect(b.written[0]).toBe(a.written[0]);
    await nextTurn();
    expect(event.chunk).toBeUndefined();
  });

  it(`keeps a replayed event's chunk for ${REPLAYED_TEXT_MS} ms: the clients of a storm replay it in turns of their own`, async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const a = recordingResponse();
    const b = recordingResponse();
    const event = replayedEventOf(message(2));
    new DirectWriter(a.response).write(event);
    await nextTurn();
    new DirectWriter(b.response).write(event);
    expect(b.written[0]).toBe(a.written[0]);
    jest.advanceTimersByTime(REPLAYED_TEXT_MS);
    expect(event.chunk).toBeUndefined();
  });

  it(`keeps at most ${REPLAYED_TEXT_BYTES} bytes of replayed text: a replay of megabytes is not held`, async () => {
    const { response } = recordingResponse();
    const big = replayedEventOf({
      ...message(3),
      data: 'x'.repeat(REPLAYED_TEXT_BYTES),
    });
    new DirectWriter(response).write(big);
    await nextTurn();
    expect(big.chunk).toBeUndefined();
  });
});
