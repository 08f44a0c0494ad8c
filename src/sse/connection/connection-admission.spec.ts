import { admissionRefusal, writeRefusal } from './connection-admission.js';
import { ConnectionCensus } from './connection-census.js';

describe('admission', () => {
  const limits = { maxConnections: 3, maxConnectionsPerClient: 2 };

  function censusOf(...clients: string[]): ConnectionCensus<object> {
    const census = new ConnectionCensus<object>(() => {
      throw new Error('every connection here is counted with its key');
    });
    for (const client of clients) census.add({}, 'Feed.stream', client);
    return census;
  }

  it('admits until maxConnections streams are open, and refuses during shutdown', () => {
    const key = () => 'c';
    expect(admissionRefusal(limits, censusOf('a', 'b'), key, false)).toBe(
      undefined,
    );
    expect(
      admissionRefusal(limits, censusOf('a', 'b', 'd'), key, false)?.reason,
    ).toBe('maxConnections (3) streams are open');
    expect(admissionRefusal(limits, censusOf(), key, true)?.reason).toBe(
      'the application is shutting down',
    );
  });

  it('refuses a client past maxConnectionsPerClient, naming it by digest only', () => {
    const refusal = admissionRefusal(
      limits,
      censusOf('secret-key', 'secret-key'),
      () => 'secret-key',
      false,
    );
    expect(refusal?.reason).toBe(
      'this client has maxConnectionsPerClient (2) streams open',
    );
    expect(refusal?.client).toMatch(/^#[0-9a-f]{12}$/);
    expect(JSON.stringify(refusal)).not.toContain('secret-key');
  });

  it('asks for the client key only with a per-client limit', () => {
    let asked = 0;
    const key = () => String(++asked);
    admissionRefusal(
      { maxConnections: 3, maxConnectionsPerClient: Infinity },
      censusOf(),
      key,
      false,
    );
    expect(asked).toBe(0);
  });

  it('answers a refusal with a stream that only says when to come back', () => {
    const written: { status?: number; headers?: object; text?: string } = {};
    writeRefusal(
      {
        writeHead: (status, headers) =>
          Object.assign(written, { status, headers }),
        end: (text) => (written.text = text),
      },
      'maxConnections (3)\r\nstreams are open',
      3120,
    );
    expect(written.status).toBe(200);
    expect(written.headers).toMatchObject({
      'Content-Type': 'text/event-stream',
      Connection: 'close',
    });
    expect(written.text).toBe(
      'retry: 3120\n: maxConnections (3)  streams are open\n\n',
    );
  });

  it('sends no Connection header over HTTP/2, where it is forbidden', () => {
    let sent: object | undefined;
    writeRefusal(
      {
        req: { httpVersionMajor: 2 },
        writeHead: (_status, headers) => (sent = headers),
        end: () => undefined,
      },
      'maxConnections (3) streams are open',
      3120,
    );
    expect(sent).toEqual({
      'Content-Type': 'text/event-stream',
      'Cache-Control':
        'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    });
  });
});
