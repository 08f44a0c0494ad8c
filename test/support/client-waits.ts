import type { SseTestClient } from '../../src/testing/index.js';

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
