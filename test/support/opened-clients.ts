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

/** Resolves once `condition` holds for every one of `clients`, each waited for on its own events. */
export async function untilEvery(
  clients: SseTestClient[],
  condition: (client: SseTestClient) => boolean,
  what: string,
): Promise<void> {
  await Promise.all(clients.map((client) => client.waitUntil(condition, what)));
}

/** Resolves once every one of `clients` has received an event with this data. */
export function untilEveryReceives(
  clients: SseTestClient[],
  data: string,
): Promise<void> {
  return untilEvery(
    clients,
    (client) => client.events.some((event) => event.data === data),
    `every client to receive ${data}`,
  );
}
