import net from 'node:net';

/**
 * A client that sends a GET, reads the response headers, then stops reading
 * for good, as a phone in a tunnel does. The server only learns of it when
 * its socket's buffers fill.
 */
export class StalledReader {
  private readonly socket: net.Socket;
  headers = '';
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
  }

  static open(url: string): Promise<StalledReader> {
    const { hostname, port, pathname, search } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      const reader = new StalledReader(socket);
      socket.on('close', () => (reader.closed = true));
      socket.on('error', () => undefined);
      socket.once('error', reject);
      socket.on('connect', () => {
        socket.write(
          `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`,
        );
      });
      const onData = (chunk: Buffer) => {
        reader.headers += chunk.toString('latin1');
        if (reader.headers.includes('\r\n\r\n')) {
          socket.pause();
          socket.removeListener('data', onData);
          resolve(reader);
        }
      };
      socket.on('data', onData);
    });
  }

  /** Starts reading again, handing every chunk to `onData`. */
  resume(onData: (chunk: string) => void): void {
    this.socket.setEncoding('utf8');
    this.socket.on('data', onData);
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
