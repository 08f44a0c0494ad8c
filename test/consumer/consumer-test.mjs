// The package as users get it. Packs the library (which builds it), checks the
// tarball, installs it into two throwaway Nest 12 applications made under a
// temporary folder, one shaped like the current `nest new` starter (ESM,
// nodenext, vitest) and one CommonJS, then in each: compiles with tsc, runs the
// app's own test runner (which uses nestjs-sse-channels/testing), loads every
// entry point as the module system of the app does, starts the compiled app and
// checks it over HTTP. `npm run test:consumer` runs it alone.
//
// The docs are checked the same way: every ```ts block of README.md and
// docs/*.md is compiled as a file of the ESM starter, in the same tsc run as
// the app; a block that is a spec is also run by the starter's vitest, and
// the example spec of docs/testing.md by the CommonJS app's jest as well.
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const PACKAGE = 'nestjs-sse-channels';
const ENTRY_POINTS = [
  PACKAGE,
  `${PACKAGE}/redis`,
  `${PACKAGE}/testing`,
  `${PACKAGE}/prometheus`,
  `${PACKAGE}/terminus`,
  `${PACKAGE}/client`,
];
/** Each wait on the network fails after this long, saying what it waited for. */
const TIMEOUT_MS = 10_000;

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'sse-consumer-'));
let failed = false;

try {
  const snippets = docSnippets();
  checkTestingGuideShowsConfigs();
  const tarball = await packAndCheck();
  await Promise.all([
    checkApp('esm-starter', tarball, {
      typeChecks: ['tsconfig.bundler.json', 'tsconfig.node10.json'],
      loadEntryPoints: `for (const name of ${JSON.stringify(ENTRY_POINTS)}) await import(name);`,
      inputType: 'module',
      snippets,
    }),
    checkApp('commonjs-app', tarball, {
      typeChecks: [],
      loadEntryPoints: `for (const name of ${JSON.stringify(ENTRY_POINTS)}) require(name);`,
      inputType: 'commonjs',
      openApi: true,
      // The docs are written for the starter (ESM); only the example spec of
      // docs/testing.md, which says it runs under jest too, is run here as well.
      snippets: snippets.filter(
        (snippet) => snippet.spec && snippet.document === 'docs/testing.md',
      ),
    }),
  ]);
} catch (error) {
  failed = true;
  console.error(`\nFAIL ${error instanceof Error ? error.message : error}`);
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed) {
  console.error(
    `consumer test failed after ${seconds} s; its apps are kept in ${work}`,
  );
  process.exitCode = 1;
} else {
  rmSync(work, { recursive: true, force: true });
  console.log(`consumer test passed in ${seconds} s`);
}

/**
 * Every ```ts block of README.md and docs/*.md, as a file of an app: a spec
 * (one that calls `describe(` or `it(`) as test/snippet-<doc>-<n>.e2e-spec.ts,
 * which the app's test runner runs; any other as src/snippet-<doc>-<n>.ts,
 * beside the app's own files, which it may import as a user's code does
 * (`./orders.service.js`). <n> counts the document's ```ts blocks from 1.
 */
function docSnippets() {
  const documents = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .sort()
      .map((file) => `docs/${file}`),
  ];
  const snippets = [];
  for (const document of documents) {
    const lines = readFileSync(join(ROOT, document), 'utf8').split('\n');
    const name = basename(document, '.md').toLowerCase();
    let count = 0;
    for (let at = 0; at < lines.length; at++) {
      // A block may be indented, inside a list item: its lines lose that indent.
      const indent = /^(\s*)```ts\s*$/.exec(lines[at])?.[1];
      if (indent === undefined) continue;
      const end = lines.indexOf(`${indent}\`\`\``, at + 1);
      if (end === -1)
        throw new Error(`${document}:${at + 1}: a \`\`\`ts block never closes`);
      const code = lines
        .slice(at + 1, end)
        .map((line) =>
          line.startsWith(indent) ? line.slice(indent.length) : line,
        )
        .join('\n');
      const spec = /^\s*(describe|it)\(/m.test(code);
      count++;
      snippets.push({
        document,
        number: count,
        line: at + 2, // of the block's first line of code
        spec,
        file: spec
          ? `test/snippet-${name}-${count}.e2e-spec.ts`
          : `src/snippet-${name}-${count}.ts`,
        code: `${code}\n`,
      });
      at = end;
    }
  }
  if (!snippets.some((snippet) => snippet.document === 'README.md'))
    throw new Error('found no ```ts block in README.md');
  return snippets;
}

/** docs/testing.md shows the vitest and jest configs of the two apps as they are. */
function checkTestingGuideShowsConfigs() {
  const guide = readFileSync(join(ROOT, 'docs', 'testing.md'), 'utf8');
  for (const config of [
    'esm-starter/vitest.config.ts',
    'commonjs-app/jest.config.js',
  ])
    if (!guide.includes(readFileSync(join(HERE, config), 'utf8')))
      throw new Error(
        `docs/testing.md no longer shows test/consumer/${config} as it is: copy the file into the page`,
      );
}

/** Names the document and line of each snippet that tsc's output mentions. */
function explainSnippets(message, snippets) {
  let explained = message;
  for (const snippet of snippets)
    explained = explained.replace(
      new RegExp(
        `${snippet.file.replace(/\./g, '\\.')}\\((\\d+),(\\d+)\\)`,
        'g',
      ),
      (found, line, column) =>
        `${found} [${snippet.document}:${snippet.line + Number(line) - 1}:${column}, its \`\`\`ts block ${snippet.number}]`,
    );
  return explained;
}

/** `npm pack` (its prepack builds the library), then what the tarball must hold. */
async function packAndCheck() {
  const output = await run(
    'npm',
    ['pack', '--json', '--pack-destination', work],
    ROOT,
  );
  const [packed] = JSON.parse(output.slice(output.indexOf('[')));
  const files = new Set(packed.files.map((file) => file.path));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const expected = [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    manifest.main,
    manifest.types,
    ...Object.values(manifest.exports).flatMap((target) =>
      Object.values(target),
    ),
    ...Object.values(manifest.typesVersions['*']).flat(),
  ].map((path) => path.replace(/^\.\//, ''));
  const missing = expected.filter((path) => !files.has(path));
  if (missing.length > 0)
    throw new Error(`the tarball lacks ${missing.join(', ')}`);
  const strays = [...files].filter(
    (path) =>
      /\.spec\.|^test\/|^sample-app\/|^bench\//.test(path) ||
      path.includes('/sample-app/'),
  );
  if (strays.length > 0)
    throw new Error(
      `the tarball holds files users do not need: ${strays.join(', ')}`,
    );
  // Source maps must carry their sources: src/ is not in the package.
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  await run('tar', ['xzf', join(work, packed.filename), '-C', unpacked], work);
  const maps = [...files].filter((path) => path.endsWith('.js.map'));
  const withoutSources = maps.filter((path) => {
    const map = JSON.parse(
      readFileSync(join(unpacked, 'package', path), 'utf8'),
    );
    return !map.sourcesContent?.every(
      (source) => typeof source === 'string' && source.length > 0,
    );
  });
  if (maps.length === 0 || withoutSources.length > 0)
    throw new Error(
      `source maps without their sources: ${withoutSources.join(', ') || 'no map at all'}`,
    );
  console.log(
    `packed ${packed.filename}: ${packed.entryCount} files, ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked`,
  );
  return join(work, packed.filename);
}

/** Makes one app from its template and the shared sources, installs the tarball, and checks it. */
async function checkApp(
  name,
  tarball,
  { typeChecks, loadEntryPoints, inputType, openApi = false, snippets },
) {
  const app = join(work, name);
  cpSync(join(HERE, name), app, { recursive: true });
  cpSync(join(HERE, 'shared', 'src'), join(app, 'src'), { recursive: true });
  cpSync(join(HERE, 'shared', 'test'), join(app, 'test'), { recursive: true });
  for (const snippet of snippets)
    writeFileSync(join(app, snippet.file), snippet.code);
  const step = async (what, command, args, env) => {
    const at = Date.now();
    try {
      await run(command, args, app, env);
    } catch (error) {
      throw new Error(explainSnippets(error.message, snippets), {
        cause: error,
      });
    }
    console.log(
      `${name}: ${what} (${((Date.now() - at) / 1000).toFixed(1)} s)`,
    );
  };
  const quiet = ['--prefer-offline', '--no-audit', '--no-fund'];
  await step('npm ci', 'npm', ['ci', ...quiet]);
  await step(`npm install ${PACKAGE} from the tarball`, 'npm', [
    'install',
    '--no-save',
    ...quiet,
    tarball,
  ]);
  // The app's tsconfig.json (nodenext) covers src and test, the snippets
  // included; it emits dist/src/main.js.
  const documents = [...new Set(snippets.map((snippet) => snippet.document))];
  await step(
    `tsc (nodenext), src and test with ${snippets.length} snippet${snippets.length === 1 ? '' : 's'} of ${documents.join(', ')}`,
    'npx',
    ['tsc', '-p', 'tsconfig.json'],
  );
  if (typeChecks.length > 0)
    await step(`tsc type checks with ${typeChecks.join(' and ')}`, 'npx', [
      'tsc',
      '-b',
      ...typeChecks,
    ]);
  await step('its own test runner (npm test)', 'npm', ['test']);
  await step(`every entry point loads (${inputType})`, 'node', [
    `--input-type=${inputType}`,
    '-e',
    loadEntryPoints,
  ]);
  await checkOverHttp(name, app, openApi);
}

/** Starts the compiled app (`node dist/src/main.js`) and checks it as a browser and a client would. */
async function checkOverHttp(name, app, openApi) {
  const port = await freePort();
  const server = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: app,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      () => log.includes('Listening on http://'),
      `${name} to start`,
      () => log,
      (check) => server.stdout.on('data', check),
    );

    // The seed's first example, byte for byte (every event carries the id of the position it connected at).
    const events = await get(`${base}/events`);
    const id = /^\nevent: connected\nid: ([0-9a-f]{12}-\d+)\n/.exec(
      events.body,
    )?.[1];
    const ticks = Array.from(
      { length: 10 },
      (_, i) => `event: update\nid: ${id}\ndata: tick ${i}\n\n`,
    ).join('');
    const expected = `\nevent: connected\nid: ${id}\ndata: Welcome\n\n${ticks}`;
    if (
      events.status !== 200 ||
      events.headers['content-type'] !== 'text/event-stream' ||
      events.body !== expected
    )
      throw new Error(
        `${name}: GET /events answered ${events.status} ${events.headers['content-type']}:\n${JSON.stringify(events.body)}\nexpected:\n${JSON.stringify(expected)}`,
      );

    // The seed's channel example: a connected client receives the order POSTed meanwhile.
    const stream = await openStream(`${base}/order-updates`);
    try {
      await stream.waitFor('data: Listening for order updates\n\n');
      const created = await post(`${base}/api/orders`, { item: 'coffee' });
      if (created.status !== 201 || created.body.notified !== 1)
        throw new Error(
          `${name}: POST /api/orders answered ${created.status} ${JSON.stringify(created.body)}`,
        );
      await stream.waitFor(`event: new_order\nid: `);
      await stream.waitFor(`\ndata: {"id":1,"item":"coffee"}\n\n`);
    } finally {
      stream.close();
    }

    if (openApi) {
      const document = JSON.parse((await get(`${base}/docs-json`)).body);
      const content =
        document.paths?.['/events']?.get?.responses?.['200']?.content;
      if (!content?.['text/event-stream'])
        throw new Error(
          `${name}: the OpenAPI document does not describe /events as text/event-stream`,
        );
    }
    console.log(
      `${name}: served /events byte for byte, a channel send reached a client${openApi ? ', OpenAPI documented the stream' : ''}`,
    );
  } finally {
    server.kill('SIGTERM');
  }
}

function run(command, args, cwd, env) {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${command} ${args.join(' ')} (in ${cwd}) failed:\n${stdout}\n${stderr}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body }),
      );
    });
    req.setTimeout(TIMEOUT_MS, () =>
      req.destroy(new Error(`GET ${url} timed out`)),
    );
    req.on('error', reject);
    req.end();
  });
}

function post(url, json) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: JSON.parse(body) }),
        );
      },
    );
    req.setTimeout(TIMEOUT_MS, () =>
      req.destroy(new Error(`POST ${url} timed out`)),
    );
    req.on('error', reject);
    req.end(JSON.stringify(json));
  });
}

/** An open stream whose text can be waited on. */
function openStream(url) {
  return new Promise((resolve, reject) => {
    let text = '';
    const waiters = new Set();
    const req = request(
      url,
      { headers: { accept: 'text/event-stream' } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
          for (const waiter of waiters) waiter();
        });
        resolve({
          waitFor: (part) =>
            waitUntil(
              () => text.includes(part),
              `${JSON.stringify(part)} on ${url}`,
              () => text,
              (waiter) => waiters.add(waiter),
            ),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once `done()` holds, checked whenever `subscribe`'s callback fires, or fails after TIMEOUT_MS. */
function waitUntil(done, what, seen, subscribe) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done()) return;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${what}; got:\n${seen()}`)),
      TIMEOUT_MS,
    );
    subscribe(check);
    check();
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
