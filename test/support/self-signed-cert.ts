import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe } from '@jest/globals';

/** Debian's OpenSSL, which makes the certificate of the TLS suites at test time. */
export const OPENSSL_PATH = '/usr/bin/openssl';
const HOW_TO_RUN =
  'Install it with: apt-get install -y openssl (then run npm test again).';

export const opensslAvailable = existsSync(OPENSSL_PATH);

/** A certificate and its key, in PEM, and the temporary folder they are written to. */
export interface SelfSignedCert {
  readonly key: string;
  readonly cert: string;
  /** Holds `key.pem` and `cert.pem` (for a process that reads files, nginx say). */
  readonly dir: string;
  /** Deletes `dir`. */
  remove(): Promise<void>;
}

/**
 * Makes a self-signed certificate for `localhost` and `127.0.0.1` (an EC
 * P-256 key, quick to make) with `openssl`, in a new temporary folder. The
 * suites that serve TLS use it; clients trust it with `ca: cert` or skip
 * verification.
 */
export async function makeSelfSignedCert(): Promise<SelfSignedCert> {
  if (!opensslAvailable)
    throw new Error(
      `Making a test certificate needs ${OPENSSL_PATH}. ${HOW_TO_RUN}`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'sse-test-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    await promisify(execFile)(OPENSSL_PATH, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    const [key, cert] = await Promise.all([
      readFile(keyPath, 'utf8'),
      readFile(certPath, 'utf8'),
    ]);
    return {
      key,
      cert,
      dir,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

if (!opensslAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(
      `The TLS suites need OpenSSL at ${OPENSSL_PATH}, and CI=true makes its absence a failure. ${HOW_TO_RUN}`,
    );
  }
  console.warn(
    `Skipping the TLS suites: no OpenSSL at ${OPENSSL_PATH}. ${HOW_TO_RUN}`,
  );
}

/** `describe` when OpenSSL is there; otherwise the suite is reported as skipped (see the warning above). */
export const describeWithOpenssl: (name: string, body: () => void) => void =
  opensslAvailable ? describe : describe.skip;
