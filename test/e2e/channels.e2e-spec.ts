import { ChannelService } from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { getJson } from '../support/http.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

describe.each(ADAPTERS)('channels (%s)', (_adapter, createAdapter) => {
  let running: RunningApp;
  let probe: ConnectionProbe;
  let channels: ChannelService;
  const clients = openedClients();
  const connect = (path: string) => clients.connect(`${running.url}${path}`);

  beforeAll(async () => {
    running = await startApp(ProbeModule.with(), createAdapter);
    probe = running.app.get(ConnectionProbe);
    channels = running.app.get(ChannelService);
  });
  afterEach(() => clients.closeAll());
  afterAll(() => running.close());

  it('joins the channels of the endpoint option before the handler runs', async () => {
    const client = await connect('/probe/channels/static?probe=static');
    await client.waitForEvents(1);
    expect(client.events[0].data).toBe('alpha,beta');
    expect(channels.channel('alpha').count()).toBe(1);
    expect(channels.names().sort()).toEqual(['alpha', 'beta']);
  });

  it('joins the channels a function of the connection returns', async () => {
    const client = await connect(
      '/probe/channels/dynamic?probe=dynamic&join=red,green',
    );
    await client.waitForEvents(1);
    expect(client.events[0].data).toBe('red,green');
    const pushed = await getJson(`${running.url}/probe/push/green?data=hello`);
    expect(pushed.body).toEqual({ queued: 1, count: 1 });
    await client.waitForEvents(2);
    expect(client.dataOf('pushed')).toEqual(['hello']);
  });

  it('reaches every subscriber on every endpoint, in send order; count() and send() agree', async () => {
    const onStatic = await connect('/probe/channels/static?probe=s1');
    const onDynamic = await connect(
      '/probe/channels/dynamic?probe=d1&join=alpha',
    );
    const onOpen = await connect('/probe/open?probe=o1');
    await Promise.all(
      [onStatic, onDynamic, onOpen].map((client) => client.waitForEvents(1)),
    );
    (await probe.get('o1')).subscribe('alpha');

    const alpha = channels.channel('alpha');
    expect(alpha.count()).toBe(3);
    for (let i = 0; i < 50; i++)
      expect(alpha.send({ type: 'x', data: String(i) })).toBe(3);
    for (const client of [onStatic, onDynamic, onOpen]) {
      await client.waitForEvents(51);
      expect(client.dataOf('x')).toEqual(
        Array.from({ length: 50 }, (_, i) => String(i)),
      );
    }
  });

  it('delivers each event once to a connection that subscribed twice; unsubscribe() stops it', async () => {
    const client = await connect('/probe/open?probe=twice');
    await client.waitForEvents(1);
    const connection = await probe.get('twice');
    connection.subscribe('dup');
    connection.subscribe('dup');
    expect(connection.channels).toEqual(['dup']);
    expect(channels.channel('dup').count()).toBe(1);
    expect(channels.channel('dup').send({ type: 'x', data: 'once' })).toBe(1);
    await client.waitForEvents(2);

    connection.unsubscribe('dup');
    expect(channels.channel('dup').send({ type: 'x', data: 'never' })).toBe(0);
    connection.send({ type: 'x', data: 'marker' });
    await client.waitForEvents(3);
    expect(client.dataOf('x')).toEqual(['once', 'marker']);
    expect(channels.channel('dup').count()).toBe(0);
  });

  it('keeps a channel handle valid after its last subscriber left and a new one joined', async () => {
    const handle = channels.channel('comeback');
    const first = await connect(
      '/probe/channels/dynamic?probe=c1&join=comeback',
    );
    await first.waitForEvents(1);
    first.close();
    await waitFor(() => handle.count() === 0, 'the first subscriber to leave');
    // Nothing was sent to it: with neither members nor history, it is forgotten.
    expect(channels.names()).not.toContain('comeback');

    const second = await connect(
      '/probe/channels/dynamic?probe=c2&join=comeback',
    );
    await second.waitForEvents(1);
    expect(handle.send({ type: 'x', data: 'still works' })).toBe(1);
    await second.waitForEvents(2);
    expect(second.dataOf('x')).toEqual(['still works']);
  });

  it('sends to a channel nobody listens to without error', () => {
    expect(channels.channel('empty-room').send({ data: 'echo' })).toBe(0);
    expect(channels.channel('empty-room').count()).toBe(0);
  });
});
