import {
  SseTestClient,
  type SseTestClientOptions,
} from '../../src/testing/index.js';

/**
 * The kit's clients a suite opened, to close after each test
 * (`afterEach(() => clients.closeAll())`). They reconnect as a browser's
 * EventSource does unless the options say `reconnect: false`.
 */
export function openedClients() {
  const opened: SseTestClient[] = [];
  return {
    async connect(
      url: string,
      options: SseTestClientOptions = {},
    ): Promise<SseTestClient> {
      const client = await SseTestClient.connect(url, '', {
        reconnect: true,
        timeoutMs: 10_000,
        ...options,
      });
      opened.push(client);
      return client;
    },
    closeAll(): void {
      opened.splice(0).forEach((client) => client.close());
    },
  };
}
