// The load generator: N raw HTTP/1.1 SSE clients in one process, on plain
// `net` sockets. An EventSource per connection would cost more than the servers
// under test at 10 000 connections; this client only decodes chunked transfer
// encoding, finds `data:` lines and reads two fields from the front of each.
//
// It is driven over IPC by bench/run.mjs:
//   connect    open N connections and wait for their 200 responses
//   expect     start a scenario: every connection expects sequence numbers 0, 1, 2…
//   wait       answer once `total` distinct events arrived (or nothing came for stallMs)
//   report     counts and latency percentiles of the scenario
//   disconnect destroy every socket (after the server has closed them, normally)
// and, for the reconnect storm (bench/storm.mjs):
//   wait-closed    answer once every connection is closed (the server dropped them)
//   storm-connect  (re)open every connection at once, each with the `Last-Event-ID`
//                  of the last `id:` it saw (with `resume`), or N new ones
//   wait-caught-up answer once every connection reached the scenario's last
//                  sequence number, or got a reset event
import net from 'node:net';
import { performance } from 'node:perf_hooks';

// Same clock as the servers' send timestamps (bench/servers/harness.mjs).
const origin = performance.timeOrigin;

const PREFIX = '{"seq":';
const TS_FIELD = ',"ts":';

/** @type {Connection[]} */
let connections = [];
let scenario = newScenario(0, 0, 0, false);
/** @type {{ total: number, resolve: () => void } | null} */
let waiting = null;

/**
 * A scenario: every connection expects the sequence numbers firstSeq,
 * firstSeq + 1, … up to firstSeq + eventsPerConnection − 1. With `trackIds`
 * (the storm), each connection also keeps the last `id:` it saw and counts
 * `reset` events (a reset stands for every event it still expected).
 */
function newScenario(
  connectionCount,
  eventsPerConnection,
  firstSeq = 0,
  trackIds = false,
) {
  const expected = connectionCount * eventsPerConnection;
  return {
    eventsPerConnection,
    firstSeq,
    endSeq: firstSeq + eventsPerConnection,
    trackIds,
    expected,
    resets: 0, // reset events (storm)
    caughtUp: 0, // connections that reached endSeq (or got a reset)
    lastCaughtUp: 0,
    caughtUpAt: new Float64Array(Math.max(1, connectionCount)),
    // One latency sample per delivery, sorted once at the end.
    latencies: new Float64Array(Math.max(1, expected)),
    received: 0, // distinct, in-order deliveries
    duplicates: 0, // a sequence number seen again (or out of order, late)
    gaps: 0, // sequence numbers skipped when a later one arrived
    unexpected: 0, // sequence numbers past the scenario's end
    otherData: 0, // data lines that are not ours
    firstReceive: 0,
    lastReceive: 0,
  };
}

class Connection {
  constructor() {
    this.socket = null;
    this.state = 'headers'; // 'headers' → 'body'
    this.head = '';
    this.chunked = false;
    this.chunkLeft = 0; // bytes of chunk data still to come; 0: a size line is next
    this.crlfLeft = 0; // bytes of the CRLF that ends a chunk still to skip
    this.sizeLine = '';
    this.partialLine = '';
    this.next = 0; // next expected sequence number
    this.closed = false;
    this.lastId = undefined; // the last `id:` seen (storm)
  }

  /** Forgets the previous socket's parsing state, for a reconnection. */
  restart() {
    this.state = 'headers';
    this.head = '';
    this.chunked = false;
    this.chunkLeft = 0;
    this.crlfLeft = 0;
    this.sizeLine = '';
    this.partialLine = '';
    this.closed = false;
  }

  /** Processes one socket read (latin1: one character per byte). */
  onData(text, receivedAt) {
    let i = 0;
    if (this.state === 'headers') {
      this.head += text;
      const end = this.head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.head.slice(0, end).toLowerCase();
      if (!head.startsWith('http/1.1 200'))
        throw new Error(`unexpected response: ${head.split('\r\n')[0]}`);
      this.chunked = /\r\ntransfer-encoding:\s*chunked/.test(head);
      this.state = 'body';
      text = this.head.slice(end + 4);
      this.head = '';
      this.onOpen?.();
      this.onOpen = null;
    }
    if (!this.chunked) return this.onBody(text, receivedAt);
    while (i < text.length) {
      if (this.crlfLeft > 0) {
        const skip = Math.min(this.crlfLeft, text.length - i);
        this.crlfLeft -= skip;
        i += skip;
      } else if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, text.length - i);
        this.onBody(
          take === text.length ? text : text.slice(i, i + take),
          receivedAt,
        );
        this.chunkLeft -= take;
        i += take;
        if (this.chunkLeft === 0) this.crlfLeft = 2;
      } else {
        const nl = text.indexOf('\n', i);
        if (nl === -1) {
          this.sizeLine += text.slice(i);
          return;
        }
        const size = parseInt(this.sizeLine + text.slice(i, nl), 16);
        this.sizeLine = '';
        i = nl + 1;
        if (size === 0) return; // the last chunk: the server ended the stream
        this.chunkLeft = size;
      }
    }
  }

  /** Event-stream bytes: complete lines are parsed, the rest waits for the next read. */
  onBody(text, receivedAt) {
    const body = this.partialLine === '' ? text : this.partialLine + text;
    let start = 0;
    for (
      let nl = body.indexOf('\n');
      nl !== -1;
      nl = body.indexOf('\n', start)
    ) {
      // data:{"seq":12,"ts":1732412345678.123,"pad":"xx…"}  (a space after the colon is optional)
      const first = body.charCodeAt(start);
      if (first === 100 /* d */ && body.startsWith('data:', start)) {
        let at = start + 5;
        if (body.charCodeAt(at) === 32) at++;
        this.onEvent(body, at, receivedAt);
      } else if (scenario.trackIds) {
        if (first === 105 /* i */ && body.startsWith('id:', start))
          this.lastId = fieldValue(body, start + 3, nl);
        else if (
          first === 101 /* e */ &&
          body.startsWith('event:', start) &&
          fieldValue(body, start + 6, nl) === 'reset'
        )
          this.onReset(receivedAt);
      }
      start = nl + 1;
    }
    this.partialLine = start === body.length ? '' : body.slice(start);
  }

  onEvent(line, at, receivedAt) {
    const s = scenario;
    if (!line.startsWith(PREFIX, at)) {
      s.otherData++;
      return;
    }
    at += PREFIX.length;
    let seq = 0;
    for (
      let c = line.charCodeAt(at);
      c >= 48 && c <= 57;
      c = line.charCodeAt(++at)
    )
      seq = seq * 10 + (c - 48);
    if (!line.startsWith(TS_FIELD, at)) {
      s.otherData++;
      return;
    }
    const sentAt = parseFloat(
      line.slice(at + TS_FIELD.length, at + TS_FIELD.length + 24),
    );

    if (seq >= s.endSeq) {
      s.unexpected++;
      return;
    }
    if (seq < this.next) {
      s.duplicates++;
      return;
    }
    if (seq > this.next) s.gaps += seq - this.next;
    this.next = seq + 1;
    if (s.received === 0) s.firstReceive = receivedAt;
    s.lastReceive = receivedAt;
    s.latencies[s.received++] = receivedAt - sentAt;
    if (this.next === s.endSeq) this.reachedEnd(receivedAt);
  }

  /** A reset: the server says the events it missed cannot be replayed, so it expects none of them. */
  onReset(receivedAt) {
    const s = scenario;
    s.resets++;
    if (this.next >= s.endSeq) return;
    this.next = s.endSeq;
    this.reachedEnd(receivedAt);
  }

  reachedEnd(receivedAt) {
    const s = scenario;
    s.caughtUpAt[s.caughtUp++] = receivedAt;
    s.lastCaughtUp = receivedAt;
  }
}

/** The value of a field line (`id: 1`, `event:reset`): after the colon and one optional space. */
function fieldValue(line, at, end) {
  if (line.charCodeAt(at) === 32) at++;
  return line.slice(at, end);
}

/**
 * Opens `conn`'s socket to `port` and sends its request (with `Last-Event-ID`
 * when given); `settle(ok, why)` is called once, when the response's headers
 * came or the socket failed first.
 */
function attach(conn, { port, path, lastEventId }, settle) {
  const socket = net.connect({ host: '127.0.0.1', port });
  conn.socket = socket;
  conn.onOpen = () => settle(true);
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  const resume =
    lastEventId === undefined ? '' : `Last-Event-ID: ${lastEventId}\r\n`;
  socket.on('connect', () => {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n${resume}\r\n`,
    );
  });
  socket.on('data', (text) => {
    // One timestamp per read: every event in it arrived at this moment.
    const receivedAt = origin + performance.now();
    try {
      conn.onData(text, receivedAt);
    } catch (error) {
      settle(false, error.message);
      socket.destroy();
      return;
    }
    if (waiting !== null && waiting.reached()) waiting.resolve();
  });
  socket.on('error', (error) => settle(false, error.code ?? error.message));
  socket.on('close', () => {
    conn.closed = true;
    settle(false, 'closed before the response');
  });
}

/** Counts the outcomes of a set of connection attempts; `done` gets them once every attempt settled. */
function attempts(count, done) {
  let open = 0;
  let failed = 0;
  let lastOpen = 0;
  const errors = new Map();
  const finish = () => {
    if (open + failed === count)
      done({ open, failed, lastOpen, errors: Object.fromEntries(errors) });
  };
  return {
    finish,
    /** A settle function for one attempt (see attach); `then` runs after it settled. */
    settler(then) {
      let settled = false;
      return (ok, why) => {
        if (settled) return;
        settled = true;
        if (ok) {
          open++;
          lastOpen = origin + performance.now();
        } else {
          failed++;
          errors.set(why, (errors.get(why) ?? 0) + 1);
        }
        then?.();
        finish();
      };
    },
  };
}

/** Opens `count` connections, at most `parallel` of them being set up at a time. */
function connect({ port, path, count, parallel = 200 }) {
  return new Promise((resolve) => {
    let started = 0;
    const outcome = attempts(count, resolve);
    const startOne = () => {
      if (started >= count) return;
      started++;
      const conn = new Connection();
      connections.push(conn);
      attach(conn, { port, path }, outcome.settler(startOne));
    };
    for (let i = 0; i < Math.min(parallel, count); i++) startOne();
    if (count === 0) outcome.finish();
  });
}

/**
 * The storm: opens every connection again at once (all `net.connect` calls
 * in one synchronous loop), each with the `Last-Event-ID` of the last id it
 * saw when `resume` is set; with no connections yet, opens `count` new ones
 * the same way. Answers once every one has its response headers or failed,
 * with the time of the first attempt and of the last response.
 */
function stormConnect({ port, path, count, resume }) {
  return new Promise((resolve) => {
    if (connections.length === 0)
      for (let i = 0; i < count; i++) connections.push(new Connection());
    const firstConnect = origin + performance.now();
    const outcome = attempts(connections.length, (result) =>
      resolve({ ...result, firstConnect }),
    );
    for (const conn of connections) {
      if (!conn.closed && conn.socket) conn.socket.destroy();
      conn.restart();
      attach(
        conn,
        { port, path, lastEventId: resume ? conn.lastId : undefined },
        outcome.settler(),
      );
    }
    if (connections.length === 0) outcome.finish();
  });
}

/** Resolves once every connection is closed (polled every 20 ms), or after `timeoutMs`. */
function waitClosed({ timeoutMs = 30_000 }) {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      const open = connections.filter((conn) => !conn.closed).length;
      if (open === 0 || Date.now() > deadline) resolve({ open });
      else setTimeout(check, 20);
    };
    check();
  });
}

/**
 * Resolves once `total` distinct events arrived (or, with `caughtUp`, once
 * `total` connections reached the scenario's end), or when that count did not
 * move for `stallMs`.
 */
function waitFor({ total, stallMs, caughtUp = false }) {
  const count = caughtUp ? () => scenario.caughtUp : () => scenario.received;
  return new Promise((resolve) => {
    let lastCount = count();
    let lastProgress = Date.now();
    const done = (timedOut) => {
      clearInterval(watchdog);
      waiting = null;
      resolve({
        timedOut,
        received: scenario.received,
        caughtUp: scenario.caughtUp,
        lastReceive: scenario.lastReceive,
        lastCaughtUp: scenario.lastCaughtUp,
      });
    };
    const watchdog = setInterval(() => {
      if (count() !== lastCount) {
        lastCount = count();
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > stallMs) done(true);
    }, 100);
    waiting = { reached: () => count() >= total, resolve: () => done(false) };
    if (count() >= total) done(false);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

function report() {
  const s = scenario;
  // Events that never came: each connection should have reached the end.
  let missingAtEnd = 0;
  let closed = 0;
  for (const conn of connections) {
    if (conn.state !== 'body') continue; // never opened: reported by `connect`
    if (conn.next < s.endSeq) missingAtEnd += s.endSeq - conn.next;
    if (conn.closed) closed++;
  }
  const sorted = s.latencies.subarray(0, s.received).sort();
  const caughtUpAt = s.caughtUpAt.subarray(0, s.caughtUp).sort();
  return {
    expected: s.expected,
    received: s.received,
    lost: s.gaps + missingAtEnd,
    duplicates: s.duplicates,
    unexpected: s.unexpected,
    otherData: s.otherData,
    closedConnections: closed,
    resets: s.resets,
    caughtUp: s.caughtUp,
    caughtUpAt: {
      p50: percentile(caughtUpAt, 50),
      p99: percentile(caughtUpAt, 99),
      last: percentile(caughtUpAt, 100),
    },
    firstReceive: s.firstReceive,
    lastReceive: s.lastReceive,
    latencyMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    },
  };
}

function disconnect() {
  return new Promise((resolve) => {
    let left = 0;
    for (const conn of connections) {
      if (conn.closed) continue;
      left++;
      conn.socket.once('close', () => --left === 0 && resolve());
      conn.socket.destroy();
    }
    connections = [];
    if (left === 0) resolve();
  });
}

process.on('message', async (msg) => {
  let body;
  switch (msg.cmd) {
    case 'connect':
      body = await connect(msg);
      break;
    case 'expect': {
      const firstSeq = msg.firstSeq ?? 0;
      for (const conn of connections) conn.next = firstSeq;
      // The storm expects on connections that are closed, to be reopened.
      const counted = msg.trackIds
        ? connections
        : connections.filter((conn) => conn.state === 'body');
      scenario = newScenario(
        counted.length,
        msg.eventsPerConnection,
        firstSeq,
        msg.trackIds === true,
      );
      body = {};
      break;
    }
    case 'wait':
      body = await waitFor(msg);
      break;
    case 'wait-caught-up':
      body = await waitFor({ ...msg, caughtUp: true });
      break;
    case 'wait-closed':
      body = await waitClosed(msg);
      break;
    case 'storm-connect':
      body = await stormConnect(msg);
      break;
    case 'report':
      body = report();
      break;
    case 'disconnect':
      await disconnect();
      body = {};
      break;
    case 'exit':
      return process.exit(0);
    default:
      throw new Error(`unknown command ${msg.cmd}`);
  }
  process.send({ id: msg.id, ...body });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
