// (d) The practical limit: node:http, and every response is written the same
// preformatted frame (one Buffer per event, encoded once) with res.write.
import { createServer } from 'node:http';
import { listenBacklog, serve } from './harness.mjs';

await serve(async () => {
  const clients = new Set();
  const server = createServer((req, res) => {
    if (req.url !== '/sse') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  await new Promise((resolve) =>
    server.listen(
      { port: 0, host: '127.0.0.1', backlog: listenBacklog() },
      resolve,
    ),
  );
  return {
    port: server.address().port,
    subscribers: () => clients.size,
    send({ type, data }) {
      const frame = Buffer.from(
        `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`,
      );
      for (const res of clients) res.write(frame);
    },
  };
});
