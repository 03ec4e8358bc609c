import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from 'ws';
import { SessionClient } from '../../src/client/session-client.js';
import type { ClientDelegate, DrainDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig, type RawAttributes } from '../../src/config.js';
import type { Session } from '../../src/server/session.js';
import { startServer, until } from './support.js';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function client(url: string, raw: Partial<RawAttributes> = {}) {
  const messages: unknown[] = [];
  const drains: DrainDetail[] = [];
  const errors: string[] = [];
  const { config } = parseConfig({ ...NO_ATTRIBUTES, url, ...raw }, url);
  const delegate: ClientDelegate = {
    status() {},
    message: (d) => messages.push(d.data),
    error: (d) => errors.push(d.kind),
    session() {},
    recovered() {},
    sessionId() {},
    drain: (d) => drains.push(d),
  };
  const c = new SessionClient(config, delegate, { WebSocket });
  cleanups.push(() => c.dispose());
  return { c, messages, drains, errors };
}

describe('flow control', () => {
  it('session mode with the defaults: a 20k burst while open is taken, counted in bufferedAmount and drained', async () => {
    const { server, url } = await startServer();
    cleanups.push(() => server.close());
    const got: unknown[] = [];
    server.on('session', (s: Session) => s.on('message', (d) => got.push(d)));
    const { c, drains, errors } = client(url, { protocol: 'session' });
    c.highWaterMark = 64 * 1024;
    c.connect();
    await until(() => c.status === 'open', 'open');
    for (let i = 0; i < 20_000; i++) c.send({ n: i, text: 'twenty bytes or so' });
    assert.ok(c.bufferedAmount >= 64 * 1024, `buffered ${c.bufferedAmount}`);
    await until(() => got.length === 20_000 && c.bufferedAmount === 0, 'all acknowledged', 10_000);
    assert.deepEqual(
      got.map((d) => (d as { n: number }).n),
      Array.from({ length: 20_000 }, (_, i) => i),
    );
    assert.equal(drains.length, 1);
    assert.ok(drains[0]!.bufferedAmount <= 32 * 1024);
    assert.equal(drains[0]!.highWaterMark, 64 * 1024);
    assert.deepEqual(errors, []);
  });

  it('a page that waits for drain at the high-water mark never reaches the byte bound', async () => {
    const { server, url } = await startServer();
    cleanups.push(() => server.close());
    let got = 0;
    server.on('session', (s: Session) => s.on('message', () => got++));
    const { c, drains } = client(url, { protocol: 'session', maxQueueBytes: String(256 * 1024) });
    c.highWaterMark = 128 * 1024;
    c.connect();
    await until(() => c.status === 'open', 'open');
    const text = 'x'.repeat(1000);
    let peak = 0;
    for (let i = 0; i < 4000; i++) {
      c.send(text);
      peak = Math.max(peak, c.bufferedAmount);
      if (c.bufferedAmount >= c.highWaterMark) {
        const before = drains.length;
        await until(() => drains.length > before, 'drain', 5000);
      }
    }
    await until(() => got === 4000, 'all delivered', 10_000);
    assert.ok(peak <= 256 * 1024 && peak >= 128 * 1024, `peak ${peak}`);
    assert.ok(drains.length >= 10);
  });

  it('plain mode: bufferedAmount includes the socket buffer, and drain follows it down', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.on('listening', r));
    cleanups.push(() => new Promise((r) => wss.close(r)));
    let bytes = 0;
    wss.on('connection', (ws) => ws.on('message', (d: Buffer) => (bytes += d.length)));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    const { c, drains } = client(url);
    c.highWaterMark = 64 * 1024;
    c.connect();
    await until(() => c.status === 'open', 'open');
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 64; i++) c.send(chunk);
    assert.ok(c.bufferedAmount > 64 * 1024, `buffered ${c.bufferedAmount}`);
    await until(() => drains.length === 1, 'drain', 10_000);
    await until(() => bytes === 64 * chunk.length, 'all received', 10_000);
    assert.ok(drains[0]!.bufferedAmount <= 32 * 1024);
  });

  it('onmessage takes messages directly, in both modes, instead of the delegate', async () => {
    const { server, url } = await startServer();
    cleanups.push(() => server.close());
    server.on('session', (s: Session) => s.on('message', (d) => s.send({ echo: d } as never)));
    const { c, messages } = client(url, { protocol: 'session' });
    const direct: [unknown, number | null][] = [];
    c.onmessage = (data, seq) => direct.push([data, seq]);
    c.connect();
    await until(() => c.status === 'open', 'open');
    c.send(1);
    c.send(new Uint8Array([7]));
    await until(() => direct.length === 2, 'two echoes');
    assert.deepEqual(direct[0], [{ echo: 1 }, 1]);
    assert.equal(messages.length, 0);
    c.onmessage = null;
    c.send(3);
    await until(() => messages.length === 1, 'back to the delegate');
    assert.deepEqual(messages, [{ echo: 3 }]);

    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.on('listening', r));
    cleanups.push(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => ws.send('plain hello'));
    const plainUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    const plain = client(plainUrl);
    const seen: [unknown, number | null][] = [];
    plain.c.onmessage = (data, seq) => seen.push([data, seq]);
    plain.c.connect();
    await until(() => seen.length === 1, 'plain message');
    assert.deepEqual(seen[0], ['plain hello', null]);
    assert.equal(plain.messages.length, 0);
  });
});
