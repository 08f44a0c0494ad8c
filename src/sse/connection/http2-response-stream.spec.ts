import { EventEmitter } from 'node:events';
import { constants } from 'node:http2';
import { Http2ResponseStream, http2StreamOf } from './http2-response-stream.js';

/** An HTTP/2 stream as far as the connection uses one, recording what is done to it. */
class FakeStream extends EventEmitter {
  writableNeedDrain = false;
  writableCorked = 0;
  destroyed = false;
  closedWith: number | undefined;
  session: { destroyed: boolean; close(): void } | undefined = {
    destroyed: false,
    close: () => (this.sessionClosed = true),
  };
  sessionClosed = false;
  cork(): void {
    this.writableCorked++;
  }
  uncork(): void {
    this.writableCorked--;
  }
  close(code: number): void {
    this.closedWith = code;
  }
}

describe('Http2ResponseStream', () => {
  it('corks the stream once for the turn, as Node corks an HTTP/1.1 socket', async () => {
    const stream = new FakeStream();
    const response = new Http2ResponseStream(stream as any);
    response.beforeWrite();
    response.beforeWrite();
    expect(stream.writableCorked).toBe(1);
    expect(response.writableCorked).toBe(1);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(stream.writableCorked).toBe(0);
  });

  it('ends the session gracefully on shutdown, even once the stream has forgotten it', () => {
    const stream = new FakeStream();
    const response = new Http2ResponseStream(stream as any);
    stream.session = undefined; // as Node does once the stream is closed
    expect(response.destroyed).toBe(false);
    response.end();
    expect(stream.sessionClosed).toBe(true);
  });

  it('resets only its own stream, with CANCEL', () => {
    const stream = new FakeStream();
    new Http2ResponseStream(stream as any).destroy();
    expect(stream.closedWith).toBe(constants.NGHTTP2_CANCEL);
    expect(stream.sessionClosed).toBe(false);
  });

  it('is only made for a request that came over HTTP/2', () => {
    const stream = new FakeStream();
    expect(http2StreamOf({ httpVersionMajor: 1, stream })).toBeUndefined();
    expect(http2StreamOf(undefined)).toBeUndefined();
    expect(http2StreamOf({ httpVersionMajor: 2, stream })).toBeInstanceOf(
      Http2ResponseStream,
    );
  });
});
