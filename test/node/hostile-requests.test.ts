import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawClient, until } from './support.js';
import { WebSocket } from 'ws';
import { defaultMaxConnections, openFileLimit } from '../../src/server/connection-gate.js';
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
    assert.deepEqual(await third.next('retry'), { t: 'retry', afterMs: 5000, spreadMs: 10_000, code: 1013 });
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

describe('a bound on sockets in total', () => {
  it(
    'past maxConnections: silent sockets go first, then upgrades get 503, and sessions keep being served',
    T,
    async () => {
      const { server, client, url, sessions } = await setup({ maxConnections: 30 });
      const rejects: string[] = [];
      server.on('reject', (r) => rejects.push(`${r.status} ${r.reason}`));
      const real = [];
      for (let i = 0; i < 10; i++) {
        const c = client();
        await c.hello();
        real.push(c);
      }
      // 40 sockets from ten other addresses that never say hello: the oldest make room for the newest.
      const silent: { ws: WebSocket; closed: boolean }[] = [];
      for (let i = 0; i < 40; i++) {
        const ws = new WebSocket(url, { localAddress: `127.0.0.${2 + (i % 10)}` });
        const entry = { ws, closed: false };
        ws.on('close', () => (entry.closed = true));
        ws.on('error', () => {});
        await new Promise((resolve) => ws.once('open', resolve));
        silent.push(entry);
      }
      await until(() => silent.filter((s) => s.closed).length === 20, 'twenty silent sockets cut');
      assert.deepEqual(
        silent.map((s) => s.closed),
        silent.map((_, i) => i < 20),
        'the oldest ones went',
      );
      assert.equal(server.connectionCount, 30);
      // A page arriving now is welcomed: a silent socket makes room for it.
      const late = client();
      assert.equal((await late.hello()).resumed, false);
      real.push(late);
      for (const s of silent) s.ws.terminate();
      await until(() => server.connectionCount === 11, 'silent sockets gone');
      for (let i = 0; i < 19; i++) {
        const c = client();
        await c.hello();
        real.push(c);
      }
      // Every socket holds a session now: the next upgrade is refused, cleanly, before the handshake.
      const refused = new WebSocket(url);
      const status = await new Promise<number>((resolve) => {
        refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        refused.on('open', () => resolve(101));
        refused.on('error', () => {});
      });
      assert.equal(status, 503);
      assert.ok(rejects.includes('503 maxConnections (30) reached'), rejects.join(', '));
      // And the sessions held are served as before, both ways.
      sessions[0]!.send('still here');
      assert.equal((await real[0]!.next('msg')).d, 'still here');
      const got = new Promise((resolve) => sessions.at(-1)!.once('message', resolve));
      real.at(-1)!.send({ t: 'msg', seq: 1, d: 'and you?' });
      assert.equal(await got, 'and you?');
    },
  );

  it('defaults to four fifths of the descriptor limit', () => {
    assert.equal(defaultMaxConnections(20_000), 16_000);
    assert.equal(defaultMaxConnections(1024), 819);
    assert.equal(defaultMaxConnections(Infinity), 100_000);
    assert.equal(defaultMaxConnections(null), 8000);
    const limit = openFileLimit();
    if (limit !== null) assert.ok(defaultMaxConnections() < limit);
  });
});
