import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { attachEchoApp, SessionBufferFullError } from '../../src/server/index.js';
import { SeqQueue } from '../../src/protocol/seq-queue.js';
import { RawClient, until, delay } from './support.js';
import { serverFixture } from './fixture.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const T = { timeout: 30_000 };
const setup = serverFixture();

describe('acknowledged data is freed at once', () => {
  it('a SeqQueue keeps no reference to what it shifted', async () => {
    const q = new SeqQueue<object>();
    const refs: WeakRef<object>[] = [];
    for (let seq = 1; seq <= 10; seq++) {
      const data = { payload: new Array(1000).fill(seq) };
      refs.push(new WeakRef(data));
      q.push({ seq, data, bytes: 1 });
    }
    q.ackUpTo(7);
    // A WeakRef keeps its target alive until the job that made it ends.
    await delay(0);
    gc();
    assert.deepEqual(
      refs.map((r) => r.deref() !== undefined),
      [false, false, false, false, false, false, false, true, true, true],
    );
    assert.deepEqual(
      q.entries().map((e) => e.seq),
      [8, 9, 10],
    );
    assert.deepEqual(
      q.after(8).map((e) => e.seq),
      [9, 10],
    );
  });

  it('a session whose client acknowledged 64 large messages holds none of them (heap after GC)', T, async () => {
    const { client, sessions } = await setup({ ackDelayMs: 1 });
    const c = client();
    await c.hello();
    const before = heapAfterGc();
    const big = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 64; i++) {
      sessions[0]!.send(`${i}${big}`);
      const m = await c.next('msg');
      c.send({ t: 'ack', seq: m.seq });
      c.raw.length = 0;
      await until(() => sessions[0]!.pending === 0, 'acknowledged');
    }
    await until(() => sessions[0]!.pending === 0, 'all acknowledged');
    const retained = heapAfterGc() - before;
    // 64 × 512 KiB = 32 MiB were sent; what stays must be far below one message's worth per session.
    assert.ok(retained < 8 * 1024 * 1024, `retained ${(retained / 1048576).toFixed(1)} MiB`);
  });
});

describe('replay bounds tell the application at send()', () => {
  it('refuses past maxReplayMessages while the client is connected but not acknowledging, then drains', T, async () => {
    const { client, sessions } = await setup({ maxReplayMessages: 4, ackDelayMs: 1 });
    const c = client();
    await c.hello();
    const s = sessions[0]!;
    for (let i = 1; i <= 4; i++) assert.equal(s.send(i), i);
    assert.throws(() => s.send(5), SessionBufferFullError);
    assert.equal(s.needsDrain, true);
    assert.equal(s.outSeq, 4, 'a refused message uses no seq');
    const drained = new Promise<void>((r) => s.once('drain', r));
    c.send({ t: 'ack', seq: 3 });
    await drained;
    assert.equal(s.needsDrain, false);
    assert.equal(s.send(5), 5);
    const got: unknown[] = [];
    for (let i = 0; i < 5; i++) got.push((await c.next('msg')).d);
    assert.deepEqual(got, [1, 2, 3, 4, 5], 'nothing lost, nothing evicted');
  });

  it(
    'a session refused for its own bound drains when its client catches up, however full the shared budget is',
    T,
    async () => {
      const { server, client, sessions } = await setup({
        maxReplayMessages: 2,
        maxTotalReplayBytes: 10_000,
        ackDelayMs: 1,
      });
      // Another session, away, holds most of the shared budget and will not give it back.
      const away = server.getSession(server.createSession().id)!;
      away.send('x'.repeat(7000));
      const c = client();
      await c.hello();
      const s = sessions.at(-1)!;
      s.send(1);
      s.send(2);
      assert.throws(() => s.send(3), /maxReplayMessages 2/, 'refused for its own bound, and the error says so');
      const drained = new Promise<void>((r) => s.once('drain', r));
      c.send({ t: 'ack', seq: 2 });
      await drained;
      assert.ok(server.replayBytes > 5000, 'the budget is still more than half used');
      assert.equal(s.send(3), 3);
    },
  );

  it('bounds replay memory across all sessions: maxTotalReplayBytes', T, async () => {
    const { server, client, sessions } = await setup({ maxTotalReplayBytes: 20_000 });
    const cs = [client(), client(), client()];
    for (const c of cs) await c.hello();
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      try {
        sessions[i % 3]!.send('y'.repeat(500));
      } catch (error) {
        assert.ok(error instanceof SessionBufferFullError);
        refused++;
      }
    }
    assert.ok(refused > 0);
    assert.ok(server.replayBytes <= 20_000, `${server.replayBytes} bytes kept`);
    const drained = new Promise<void>((r) => server.once('drain', r));
    for (const [i, c] of cs.entries()) c.send({ t: 'ack', seq: sessions[i]!.outSeq });
    await drained;
    await until(() => server.replayBytes === 0, 'all acknowledged');
  });

  it('keeps total memory bounded under chat amplification (one upload fanned out to every session)', T, async () => {
    const { server, client, url, sessions, track } = await setup({ maxTotalReplayBytes: 2 * 1024 * 1024 });
    attachEchoApp(server);
    // Readers that never acknowledge: every fanned-out note stays in their replay buffers.
    const readers = Array.from({ length: 40 }, () => client());
    await Promise.all(readers.map((r) => r.hello()));
    const attacker = track(new RawClient(url));
    await attacker.hello();
    const before = heapAfterGc();
    for (let seq = 1; seq <= 200; seq++) attacker.send({ t: 'msg', seq, d: { chat: 'z'.repeat(2000) } });
    await until(() => sessions.at(-1)!.inSeq === 200, 'all chat delivered', 20_000);
    const skipped = await attacker.next('msg', 10_000);
    assert.ok(server.replayBytes <= 2 * 1024 * 1024);
    assert.ok(skipped.d !== undefined);
    // 200 × 2 KB × 41 sessions would be 16 MB; the budget holds it to 2 MiB plus what sockets hold.
    const grown = heapAfterGc() - before;
    assert.ok(grown < 16 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
  });

  it('with replayOverflow evict, keeps the newest and answers a later resume with replay-gap', T, async () => {
    const { client, sessions } = await setup({ maxReplayMessages: 2, replayOverflow: 'evict' });
    const c = client();
    const w = await c.hello();
    c.close();
    await until(() => !sessions[0]!.connected, 'detach');
    for (let i = 0; i < 3; i++) sessions[0]!.send(i);
    assert.equal(sessions[0]!.pending, 2);
    assert.equal((await client().hello({ sid: w.sid, token: w.token })).reason, 'replay-gap');
  });
});

describe('a client that stops reading', () => {
  it(
    'holds at most maxSocketBufferedBytes in the socket, then is cut at ackTimeoutMs; the session resumes',
    T,
    async () => {
      const { server, client, sessions, url } = await setup({
        maxSocketBufferedBytes: 64 * 1024,
        ackTimeoutMs: 500,
        maxReplayBytes: 16 * 1048576,
      });
      const ws = new WebSocket(url);
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
      const welcome = await new Promise<{ sid: string; token: string }>((r) =>
        ws.once('message', (d) => r(JSON.parse(d.toString()))),
      );
      // Stop reading: the kernel buffers fill, then the server's socket buffer.
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const s = sessions[0]!;
      const chunk = 'q'.repeat(16 * 1024);
      let peak = 0;
      const serverSocket = [...server.wss.clients][0]!;
      for (let i = 0; i < 300; i++) {
        s.send(`${i}:${chunk}`);
        peak = Math.max(peak, serverSocket.bufferedAmount);
        if (i % 20 === 0) await delay(1);
      }
      assert.ok(peak <= 64 * 1024 + 20 * 1024, `socket held ${peak} bytes`);
      await until(() => !s.connected, 'the stalled socket is cut', 10_000);
      ws.terminate();
      const back = client();
      const w2 = await back.hello({ sid: welcome.sid, token: welcome.token, ack: 0 });
      assert.equal(w2.resumed, true);
      const first = await back.next('msg');
      assert.equal(first.seq, 1, 'replay starts at the first unacknowledged message');
    },
  );
});

describe('drain and refusals', () => {
  it('sends the final ack before closing for a drain, so nothing handled is sent again', T, async () => {
    const { server, client, sessions } = await setup({ ackDelayMs: 60_000 });
    const c = client();
    await c.hello();
    for (let seq = 1; seq <= 5; seq++) c.send({ t: 'msg', seq, d: seq });
    await until(() => sessions[0]!.inSeq === 5, 'five handled');
    server.drain({ afterMs: 0, spreadMs: 0 });
    assert.deepEqual(await c.next('ack'), { t: 'ack', seq: 5 });
    assert.equal((await c.closed).code, 1012);
  });

  it('sends a retry frame before the 1013 of a full server, as the protocol promises', T, async () => {
    const { client } = await setup({ maxSessions: 1 });
    await client().hello();
    const c = client();
    await c.opened();
    c.send({ t: 'hello', v: 1, ack: 0 });
    assert.deepEqual(await c.next('retry'), { t: 'retry', afterMs: 5000, spreadMs: 10_000, code: 1013 });
    assert.equal((await c.closed).code, 1013);
  });

  it('the example chat names senders without any part of their session ID', T, async () => {
    const { server, client } = await setup();
    attachEchoApp(server);
    const a = client();
    const wa = await a.hello();
    a.send({ t: 'msg', seq: 1, d: { chat: 'hi' } });
    const note = (await a.next('msg')).d as { from: string };
    assert.match(note.from, /^guest \d+$/);
    assert.ok(!wa.sid.includes(note.from));
  });
});
