import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import type * as ClientModule from '../../src/client/index.js';
import type { Session } from '../../src/server/session.js';
import { startServer, until } from './support.js';

// Through the package's own exports map, as an application imports it (`npm test` builds dist first).
const client = (await import('reconnecting-session/client' as string)) as typeof ClientModule;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('SessionClient in Node through reconnecting-session/client', () => {
  it('survives a refused connection, then sends and resumes across a dropped socket', async () => {
    const { server, url } = await startServer();
    cleanups.push(() => server.close());
    let session: Session | undefined;
    const received: unknown[] = [];
    server.on('session', (s) => {
      session = s;
      s.on('message', (d) => received.push(d));
    });

    const refused = `ws://127.0.0.1:${await closedPort()}/`;
    const { config } = client.parseConfig(
      { ...client.NO_ATTRIBUTES, url: `${refused} ${url}`, protocol: 'session', delays: '20', jitter: '0' },
      url,
    );
    const statuses: ClientModule.StatusDetail[] = [];
    const messages: unknown[] = [];
    const sessions: ClientModule.SessionDetail[] = [];
    const c = new client.SessionClient(
      config,
      {
        status: (d) => statuses.push(d),
        message: (d) => messages.push(d.data),
        error() {},
        session: (d) => sessions.push(d),
        recovered() {},
        sessionId() {},
      },
      { WebSocket },
    );
    cleanups.push(() => c.dispose());
    c.connect();
    await until(() => c.status === 'open', 'open after the refused URL');
    assert.deepEqual([statuses[0]!.status, statuses[0]!.url], ['connecting', refused]);
    assert.ok(
      statuses.some((s) => s.status === 'reconnecting' && s.cause === 'network'),
      'the closed port was refused',
    );

    c.send({ n: 1 });
    c.send({ n: 2 });
    await until(() => received.length === 2, 'two messages at the server');
    for (const ws of server.wss.clients) ws.terminate();
    await until(() => c.status !== 'open', 'the drop noticed');
    c.send({ n: 3 });
    session!.send('while away');
    await until(() => c.status === 'open' && received.length === 3 && messages.length === 1, 'resumed');
    assert.deepEqual(received, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.deepEqual(messages, ['while away']);
    const resumed = sessions.at(-1)!;
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.sessionId, sessions[0]!.sessionId);
  });
});
