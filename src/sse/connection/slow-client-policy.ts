import { SseOptionsError } from '../errors/sse-options.error.js';
import type { SseEvent } from '../sse-event.interface.js';
import type { SseSlowClientOptions } from '../slow-client-options.interface.js';
import { OPTION_MESSAGES } from '../sse.messages.js';

/** A checked `slowClient` option: `undefined` means the default, disconnect. */
export type ConflateKey = ((event: SseEvent) => string) | undefined;

/** Checks a `slowClient` option and returns its conflation key function, if it conflates. */
export function resolveSlowClient(
  where: string,
  options: SseSlowClientOptions | undefined,
): ConflateKey {
  if (options === undefined) return undefined;
  const policy = options.policy ?? 'disconnect';
  if (policy === 'disconnect') return undefined;
  if (policy !== 'conflate')
    throw new SseOptionsError(OPTION_MESSAGES.slowClientPolicy(where, policy));
  if (typeof options.conflateKey !== 'function')
    throw new SseOptionsError(OPTION_MESSAGES.conflateKeyMissing(where));
  return options.conflateKey;
}
