import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawClient, until } from './support.js';
import { serverFixture } from './fixture.js';
import { frame, rawConnect, rawWebSocket, text, upgradeRequest } from './raw-socket.js';

const T = { timeout: 20_000 };
const setup = serverFixture();

/** The server still does its job: a fresh client gets a session. */
async function stillServes(client: () => RawClient): Promise<void> {
  const w = await client().hello();
  assert.equal(w.resumed, false);
}

async function answer(port: number, request: string): Promise<string> {
  const c = await rawConnect(port);
  c.socket.write(request);
  // A refusal ends the connection; an accepted upgrade stays open, so the status line is enough.
  await Promise.race([c.ended, until(() => c.received().includes('\r\n\r\n'), 'an answer', 5000)]);
  c.socket.destroy();
  return c.received().toString();
}

describe('hostile HTTP requests', () => {
  for (const target of ['//', '//x:99999/', '//[::1/ws', 'http://[::1/ws', '*', '/ws?%%', '/ws#x']) {
    it(`answers the upgrade target ${JSON.stringify(target)} without throwing (path set)`, T, async () => {
      const { server, client } = await setup({ path: '/ws' });
      const reply = await answer(server.port, upgradeRequest(target));
      assert.match(reply, target.startsWith('/ws') ? /^HTTP\/1\.1 101/ : /^HTTP\/1\.1 404/);
      await stillServes(() => client());
    });
  }

  it('keeps the same checks through handleUpgrade on another listener', T, async () => {
    const { server } = await setup({ path: '/ws' });
    const other: Server = createServer();
    other.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (other.address() as AddressInfo).port;
      for (const target of ['//', '//x:99999/', '//[::1/ws'])
        assert.match(await answer(port, upgradeRequest(target)), /^HTTP\/1\.1 404/);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('cuts a client that sends its headers too slowly', T, async () => {
    const { server } = await setup({ headersTimeoutMs: 300 });
    const c = await rawConnect(server.port);
    const start = Date.now();
    c.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => c.socket.write('X-Slow: 1\r\n'), 100);
    const end = await c.ended;
    clearInterval(trickle);
    // Node's default would hold it 60 s and more; the bound is the option plus its checking interval.
    assert.ok(end - start < 5000, `held ${end - start} ms`);
  });

  it('refuses a page on a domain name even when Origin matches Host (DNS rebinding)', T, async () => {
    const { server, client } = await setup();
    const rejects: unknown[] = [];
    server.on('reject', (info) => rejects.push(info));
    const host = `rebound.example:${server.port}`;
    const reply = await answer(
      server.port,
      upgradeRequest('/', { Origin: `http://${host}` }).replace('Host: 127.0.0.1', `Host: ${host}`),
    );
    assert.match(reply, /^HTTP\/1\.1 403/);
    assert.deepEqual(rejects, [
      {
        status: 403,
        reason: 'origin not allowed (see allowedOrigins)',
        address: '127.0.0.1',
        origin: `http://${host}`,
      },
    ]);
    const same = client({ Origin: `http://127.0.0.1:${server.port}` });
    assert.equal((await same.hello()).resumed, false, 'a page served from the IP address itself is fine');
  });
});

/** Frames no WebSocket client may send; ws must refuse each with a close code, never an exception. */
const BAD_FRAMES: [string, Buffer][] = [
  ['an unmasked frame', frame(1, Buffer.from('{}'), { mask: false })],
  ['a reserved opcode', frame(3, Buffer.from('x'))],
  ['RSV1 without an extension', frame(1, Buffer.from('{}'), { rsv: 4 })],
  ['invalid UTF-8 text', frame(1, Buffer.from([0xc3, 0x28]))],
  ['a length past maxPayload', frame(1, Buffer.alloc(0), { length: 2 ** 40 })],
  ['a fragmented control frame', frame(9, Buffer.from('p'), { fin: false })],
];

describe('hostile WebSocket frames', () => {
  for (const [what, bytes] of BAD_FRAMES) {
    it(`survives ${what} on a socket accepted while draining`, T, async () => {
      const { server, client } = await setup({ closeTimeoutMs: 200 });
      server.drain({ afterMs: 0, spreadMs: 0 });
      const c = await rawWebSocket(server.port);
      c.socket.write(bytes);
      await c.ended;
      server.endDrain();
      await stillServes(() => client());
    });

    it(`closes the socket on ${what} after the handshake; other sessions go on`, T, async () => {
      const { server, client } = await setup();
      const victim = client();
      await victim.hello();
      const c = await rawWebSocket(server.port);
      c.socket.write(text(JSON.stringify({ t: 'hello', v: 1, ack: 0 })));
      c.socket.write(bytes);
      await c.ended;
      victim.send({ t: 'ping', ts: 1 });
      assert.deepEqual(await victim.next('pong'), { t: 'pong', ts: 1 });
    });
  }

  it('cuts a socket that never sends hello and never answers the close: hello timeout + close timeout', T, async () => {
    const { server } = await setup({ helloTimeoutMs: 200, closeTimeoutMs: 200 });
    const c = await rawWebSocket(server.port);
    const start = Date.now();
    // Never reads or answers: ws alone would wait 30 s for the close frame.
    const end = await c.ended;
    assert.ok(end - start < 5000, `held ${end - start} ms`);
    assert.ok(c.received().includes(Buffer.from('no hello frame in time')), 'told why first');
  });

  it('limits open connections per client address, before and after the upgrade', T, async () => {
    const { server, client } = await setup({ maxConnectionsPerAddress: 3 });
    const idle = await Promise.all([1, 2, 3].map(() => rawConnect(server.port)));
    const fourth = await rawConnect(server.port);
    await fourth.ended;
    assert.equal(fourth.received().length, 0, 'cut before any byte');
    for (const c of idle) c.socket.destroy();
    await Promise.all(idle.map((c) => c.ended));
    await until(() => true, 'tick');
    await stillServes(() => client());
  });
});

describe('per-address limits behind a proxy', () => {
  it('counts sessions by X-Forwarded-For only with trustProxy, and an IPv6 /64 as one address', T, async () => {
    const { client } = await setup({ trustProxy: 1, maxSessionsPerAddress: 2 });
    const from = (xff: string) => client({ 'X-Forwarded-For': xff });
    await from('203.0.113.9').hello();
    await from('198.51.100.1, 203.0.113.9').hello();
    const third = from('203.0.113.9');
    await third.opened();
    third.send({ t: 'hello', v: 1, ack: 0 });
    assert.deepEqual(await third.next('retry'), { t: 'retry', afterMs: 5000, spreadMs: 10_000 });
    assert.equal((await third.closed).code, 1013);
    assert.equal((await from('203.0.113.10').hello()).resumed, false, 'another address is unaffected');
    await from('2001:db8:1:2::1').hello();
    await from('2001:db8:1:2:ffff::9').hello();
    const v6 = from('2001:db8:1:2:abcd::1');
    await v6.opened();
    v6.send({ t: 'hello', v: 1, ack: 0 });
    assert.equal((await v6.closed).code, 1013, 'one /64 is one host');
  });

  it('ignores X-Forwarded-For without trustProxy (a client cannot pick its own address)', T, async () => {
    const { client } = await setup({ maxSessionsPerAddress: 1 });
    await client({ 'X-Forwarded-For': '192.0.2.1' }).hello();
    const second = client({ 'X-Forwarded-For': '192.0.2.2' });
    await second.opened();
    second.send({ t: 'hello', v: 1, ack: 0 });
    assert.equal((await second.closed).code, 1013);
  });
});
