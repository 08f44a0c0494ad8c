// (c) better-sse's channel on plain node:http, with its defaults (a `retry:`
// line on connect, a keep-alive comment every 10 s).
import { createServer } from 'node:http';
import { createChannel, createSession } from 'better-sse';
import { serve } from './harness.mjs';

await serve(async () => {
  const channel = createChannel();
  const server = createServer(async (req, res) => {
    if (req.url !== '/sse') {
      res.writeHead(404).end();
      return;
    }
    // The session leaves the channel by itself when its client disconnects.
    channel.register(await createSession(req, res));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    subscribers: () => channel.sessionCount,
    send({ type, data }) {
      channel.broadcast(data, type);
    },
  };
});
