// Waiting for a server under test to reach a state it reports over IPC.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the server itself counts `n` subscribers; throws after `timeoutMs`. */
export async function waitForSubscribers(server, n, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { subscribers } = await server.call('subscribers');
    if (subscribers === n) return;
    if (Date.now() > deadline)
      throw new Error(
        `the server has ${subscribers} subscribers, expected ${n}`,
      );
    await sleep(50);
  }
}
