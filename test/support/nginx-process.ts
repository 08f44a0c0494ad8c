import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '@jest/globals';
import { freePort } from './free-port.js';
import type { SelfSignedCert } from './self-signed-cert.js';
import { waitFor, waitForAsync } from './wait-for.js';

/** Debian's nginx, which the proxy suite starts on a port of its own. */
export const NGINX_PATH = '/usr/sbin/nginx';
const HOW_TO_RUN =
  'Install it with: apt-get install -y nginx (then run npm test again; .ci/run does this).';

export const nginxAvailable = existsSync(NGINX_PATH);

if (!nginxAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(
      `The nginx suite needs nginx at ${NGINX_PATH}, and CI=true makes its absence a failure. ${HOW_TO_RUN}`,
    );
  }
  console.warn(
    `Skipping the nginx suite: no nginx at ${NGINX_PATH}. ${HOW_TO_RUN}`,
  );
}

/** `describe` when nginx is there; otherwise the suite is reported as skipped (see the warning above). */
export const describeWithNginx: (name: string, body: () => void) => void =
  nginxAvailable ? describe : describe.skip;

/** The configuration the deployment guide ships, which the suite runs as it is. */
export const SHIPPED_NGINX_CONFIG = fileURLToPath(
  new URL('../../docs/nginx/sse.conf', import.meta.url),
);

/** How the suite runs the shipped configuration. */
export interface NginxOptions {
  /** The port of the app on 127.0.0.1 (in place of `127.0.0.1:3000`). */
  appPort: number;
  /** nginx's certificate (in place of the example.com paths). */
  cert: SelfSignedCert;
  /** In place of `proxy_read_timeout 60s`, to prove what heartbeats are for in a second rather than a minute. */
  proxyReadTimeout?: string;
}

/**
 * The shipped configuration with only what differs on a test machine
 * replaced: addresses, ports, certificate paths, and the read timeout. Each
 * of these must appear exactly once, so an edit of the guide's file that
 * the suite no longer matches fails loudly instead of going untested.
 */
export function configForTest(
  shipped: string,
  options: NginxOptions & { port: number },
): string {
  const replacements: Array<[string, string]> = [
    ['server 127.0.0.1:3000;', `server 127.0.0.1:${options.appPort};`],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${options.port} ssl http2;`],
    ['server_name example.com;', 'server_name localhost;'],
    [
      'ssl_certificate     /etc/ssl/certs/example.com.pem;',
      `ssl_certificate     ${join(options.cert.dir, 'cert.pem')};`,
    ],
    [
      'ssl_certificate_key /etc/ssl/private/example.com.key;',
      `ssl_certificate_key ${join(options.cert.dir, 'key.pem')};`,
    ],
    [
      'proxy_read_timeout 60s;',
      `proxy_read_timeout ${options.proxyReadTimeout ?? '60s'};`,
    ],
  ];
  let config = shipped;
  for (const [line, replacement] of replacements) {
    const found = config.split(line).length - 1;
    if (found !== 1)
      throw new Error(
        `${SHIPPED_NGINX_CONFIG} must contain "${line}" exactly once (it does ${found} times): the nginx suite replaces it to run the file on a test machine`,
      );
    config = config.replace(line, replacement);
  }
  return config;
}

/**
 * The main configuration around the shipped file, as /etc/nginx/nginx.conf
 * is around a file of conf.d/, with every path nginx writes to inside the
 * suite's own folder, in the foreground, logging errors to stderr.
 */
function mainConfig(dir: string): string {
  return `daemon off;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
worker_processes 1;
${
  // As root, nginx would run its worker as nobody, who cannot read the
  // suite's folder (mkdtemp makes it 0700).
  process.getuid?.() === 0 ? 'user root;' : ''
}
events {
    worker_connections 256;
}
http {
    access_log off;
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    # As Debian's nginx.conf has it.
    gzip on;
    include ${join(dir, 'sse.conf')};
}
`;
}

/**
 * nginx on a free port of 127.0.0.1, running the shipped configuration in
 * front of an app on 127.0.0.1, as the current user, with every file it
 * writes in a temporary folder of its own.
 */
export class NginxProcess {
  private output = '';
  private exited = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => (this.output += chunk));
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => (this.output += chunk));
    child.on('exit', () => (this.exited = true));
    child.on('error', (error) => {
      this.output += String(error);
      this.exited = true;
    });
  }

  /** Starts it, and resolves once it takes connections. */
  static async start(options: NginxOptions): Promise<NginxProcess> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'sse-nginx-'));
    const shipped = await readFile(SHIPPED_NGINX_CONFIG, 'utf8');
    await writeFile(
      join(dir, 'sse.conf'),
      configForTest(shipped, { ...options, port }),
    );
    await writeFile(join(dir, 'nginx.conf'), mainConfig(dir));
    // -e: errors before the configuration is read go to stderr too, not to
    // /var/log/nginx (which the current user may not be able to write).
    const child = spawn(NGINX_PATH, [
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-e',
      'stderr',
    ]);
    const nginx = new NginxProcess(port, dir, child);
    try {
      await waitForAsync(
        async () => nginx.exited || (await accepts(port)),
        `nginx to listen on port ${port}`,
      );
      if (nginx.exited)
        throw new Error(`nginx did not start on port ${port}:\n${nginx.log}`);
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  /** The address browsers would use: HTTPS, HTTP/2 where the client offers it. */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** What nginx wrote to stderr and stdout (its error log). */
  get log(): string {
    return this.output;
  }

  /** Stops it (SIGTERM), waits for it to exit, and removes its folder. */
  async stop(): Promise<void> {
    if (!this.exited) {
      this.child.kill('SIGTERM');
      await waitFor(() => this.exited, `nginx on port ${this.port} to exit`);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
