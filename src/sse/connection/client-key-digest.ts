import { createHash } from 'node:crypto';

/**
 * How a client key appears in the module's logs: `#` and the first 12 hex
 * digits of its SHA-256. A key can be a secret (an API key, a session id) and
 * can hold any character (CR and LF in a key decoded from a token would forge
 * log lines), so it is never logged as it is; the digest still tells one
 * client's refusals apart from another's, and an operator who suspects a key
 * can compute its digest to confirm. 48 bits make a collision between the
 * clients of one log unlikely; this is not meant to resist guessing a
 * low-entropy key such as an IP address.
 */
export function clientKeyDigest(key: string): string {
  return `#${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
