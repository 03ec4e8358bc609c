import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionServer } from '../../src/server/index.js';
import type { Session } from '../../src/server/session.js';
import { RawClient, startServer, until, delay } from './support.js';

const open: { server: SessionServer; clients: RawClient[] }[] = [];
async function setup(options: Parameters<typeof startServer>[0] = {}) {
  const { server, url } = await startServer(options);
  const entry = { server, clients: [] as RawClient[] };
  open.push(entry);
  const client = (headers?: Record<string, string>) => {
    const c = new RawClient(url, headers);
    entry.clients.push(c);
    return c;
  };
  const sessions: Session[] = [];
  server.on('session', (s) => sessions.push(s));
  return { server, url, client, sessions };
}

afterEach(async () => {
  for (const { server, clients } of open.splice(0)) {
    for (const c of clients) c.close();
    await server.close();
  }
});
after(() => delay(10));

describe('SessionServer handshake', () => {
  it('opens a new session with an unguessable ID and a separate 256-bit token', async () => {
    const { client, sessions } = await setup();
    const welcome = await client().hello();
    assert.equal(welcome.resumed, false);
    assert.equal(welcome.reason, undefined);
    assert.equal(welcome.lifetimeMs, 15000);
    assert.match(welcome.sid, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(welcome.token, 'base64url').length, 32);
    assert.notEqual(welcome.token, welcome.sid);
    assert.equal(sessions[0]!.id, welcome.sid);
  });

  it('delivers client messages exactly once and in order, acknowledging duplicates', async () => {
    const { client, sessions } = await setup({ ackDelayMs: 5 });
    const c = client();
    await c.hello();
    const got: unknown[] = [];
    sessions[0]!.on('message', (d) => got.push(d));
    for (const seq of [1, 2, 2, 1, 3]) c.send({ t: 'msg', seq, d: `m${seq}` });
    const ack = await c.next('ack');
    await until(() => got.length === 3, '3 messages');
    await delay(30);
    assert.deepEqual(got, ['m1', 'm2', 'm3']);
    assert.ok(ack.seq >= 1 && ack.seq <= 3);
  });

  it('resumes with a rotated token, replays what the client missed, and refuses the old token', async () => {
    const { client, sessions } = await setup();
    const first = client();
    const w1 = await first.hello();
    const session = sessions[0]!;
    session.send({ n: 1 });
    await first.next('msg');
    first.close();
    await until(() => !session.connected, 'detach');
    session.send({ n: 2 });
    session.send({ n: 3 });
    const second = client();
    const w2 = await second.hello({ sid: w1.sid, token: w1.token, ack: 1 });
    assert.equal(w2.resumed, true);
    assert.equal(w2.sid, w1.sid);
    assert.notEqual(w2.token, w1.token);
    assert.equal(w2.seq, 3);
    assert.deepEqual([(await second.next('msg')).d, (await second.next('msg')).d], [{ n: 2 }, { n: 3 }]);
    // Any frame on the new socket proves the rotated token arrived; only then does the old one stop working.
    second.send({ t: 'ack', seq: 3 });
    await delay(30);
    second.close();
    await until(() => !session.connected, 'detach');
    const third = client();
    const w3 = await third.hello({ sid: w1.sid, token: w1.token, ack: 3 });
    assert.equal(w3.resumed, false);
    assert.equal(w3.reason, 'token');
    assert.notEqual(w3.sid, w1.sid);
  });

  it('keeps the presented token valid until the client confirms the rotated one (a lost welcome orphans nothing)', async () => {
    const { client, sessions } = await setup();
    const first = client();
    const w1 = await first.hello();
    first.send({ t: 'msg', seq: 1, d: 'kept' });
    await until(() => sessions[0]!.inSeq === 1, 'message 1');
    first.close();
    await until(() => !sessions[0]!.connected, 'detach');
    // The welcome of this resume is "lost": the socket dies before the client sends anything.
    const lost = client();
    const w2 = await lost.hello({ sid: w1.sid, token: w1.token });
    assert.equal(w2.resumed, true);
    lost.close();
    await until(() => !sessions[0]!.connected, 'detach');
    const retry = client();
    const w3 = await retry.hello({ sid: w1.sid, token: w1.token });
    assert.deepEqual([w3.resumed, w3.sid, w3.ack], [true, w1.sid, 1]);
    retry.send({ t: 'ping' });
    await retry.next('pong');
    retry.close();
    await until(() => !sessions[0]!.connected, 'detach');
    const stale = client();
    const w4 = await stale.hello({ sid: w1.sid, token: w1.token });
    assert.deepEqual([w4.resumed, w4.reason], [false, 'token']);
    const unseen = client();
    const w5 = await unseen.hello({ sid: w1.sid, token: w2.token });
    assert.deepEqual([w5.resumed, w5.reason], [false, 'token']);
  });

  it('delivers what a session listener sends before the socket is attached', async () => {
    const { client, server } = await setup();
    server.on('session', (s) => s.send({ greeting: s.id }));
    const c = client();
    const w = await c.hello();
    assert.equal(w.seq, 1);
    assert.deepEqual((await c.next('msg')).d, { greeting: w.sid });
  });

  it('reports a message listener that throws through the error event and keeps the socket', async () => {
    const { client, server, sessions } = await setup({ ackDelayMs: 5 });
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));
    const c = client();
    await c.hello();
    sessions[0]!.on('message', (d) => {
      if (d === 'bad') throw new Error('application bug');
    });
    c.send({ t: 'msg', seq: 1, d: 'bad' });
    c.send({ t: 'msg', seq: 2, d: 'good' });
    await until(() => sessions[0]!.inSeq === 2, 'both messages');
    assert.deepEqual(
      errors.map((e) => e.message),
      ['application bug'],
    );
    assert.equal(c.ws.readyState, 1);
  });

  it('never creates a session with a client-chosen ID', async () => {
    const { client, server } = await setup();
    const w = await client().hello({ sid: 'chosen-by-attacker', token: 'x' });
    assert.equal(w.reason, 'unknown');
    assert.notEqual(w.sid, 'chosen-by-attacker');
    assert.equal(server.getSession('chosen-by-attacker'), undefined);
  });

  it('replaces an older socket of the same session (4001)', async () => {
    const { client } = await setup();
    const a = client();
    const w = await a.hello();
    const b = client();
    await b.hello({ sid: w.sid, token: w.token });
    assert.equal((await a.closed).code, 4001);
  });

  it('reports a replay gap when evicted messages were never acknowledged', async () => {
    const { client, sessions } = await setup({ maxReplayMessages: 3, replayOverflow: 'evict' });
    const a = client();
    const w = await a.hello();
    a.close();
    await until(() => !sessions[0]!.connected, 'detach');
    for (let i = 0; i < 5; i++) sessions[0]!.send(i);
    const b = client();
    const w2 = await b.hello({ sid: w.sid, token: w.token, ack: 0 });
    assert.deepEqual([w2.resumed, w2.reason], [false, 'replay-gap']);
    assert.equal(sessions[0]!.closed, true);
  });

  it('resumes a pre-issued session', async () => {
    const { client, server } = await setup();
    const issued = server.createSession();
    const w = await client().hello({ sid: issued.id, token: issued.token });
    assert.deepEqual([w.resumed, w.sid], [true, issued.id]);
  });

  it('the right token resumes after any number of wrong ones from the same address; guesses past the limit wait', async () => {
    const { client, server } = await setup({ maxBadTokensPerMinute: 20, badTokenDelayMs: 300 });
    const issued = server.createSession();
    server.getSession(issued.id)!.send('kept for the owner');
    const guess = async (i: number) => {
      const started = performance.now();
      const c = client();
      const w = await c.hello({ sid: issued.id, token: `wrong-${i}` });
      c.close();
      return { answer: [w.resumed, w.reason], ms: performance.now() - started };
    };
    for (let i = 0; i < 20; i++) assert.deepEqual((await guess(i)).answer, [false, 'token']);
    // 140 more at once: each is answered as a stale token is, but only after the delay.
    const late = await Promise.all(Array.from({ length: 140 }, (_, i) => guess(20 + i)));
    for (const g of late) assert.deepEqual(g.answer, [false, 'token']);
    assert.ok(Math.min(...late.map((g) => g.ms)) >= 290, 'every guess past the limit waited');
    // Behind the same NAT, the owner's own resume still works, and nothing it was owed is gone.
    const owner = client();
    const right = await owner.hello({ sid: issued.id, token: issued.token });
    assert.deepEqual([right.resumed, right.sid], [true, issued.id]);
    assert.equal((await owner.next('msg')).d, 'kept for the owner');
  });

  it('refuses data JSON cannot carry without using up a seq', async () => {
    const { client, sessions } = await setup();
    const c = client();
    await c.hello();
    const s = sessions[0]!;
    assert.throws(() => s.send(undefined as never), TypeError);
    assert.throws(() => s.send({ n: 1n } as never), TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => s.send(cyclic as never), TypeError);
    assert.equal(s.send('ok'), 1);
    assert.deepEqual(await c.next('msg'), { t: 'msg', seq: 1, d: 'ok' });
  });

  it('answers ping with pong', async () => {
    const { client } = await setup();
    const c = client();
    await c.hello();
    c.send({ t: 'ping', ts: 42 });
    assert.deepEqual(await c.next('pong'), { t: 'pong', ts: 42 });
  });
});

describe('SessionServer rejects bad input with a close code and a reason', () => {
  const cases: [string, (c: RawClient) => void, number, string | null][] = [
    ['malformed JSON', (c) => c.send('{nope'), 1007, 'bad-json'],
    ['a first frame that is not hello', (c) => c.send({ t: 'ping' }), 1002, 'no-hello'],
    ['an unknown protocol version', (c) => c.send({ t: 'hello', v: 99, ack: 0 }), 1002, 'version'],
    ['a frame with a bad field', (c) => c.send({ t: 'hello', v: 1, ack: -1 }), 1007, 'bad-frame'],
    ['a binary frame', (c) => c.ws.send(Buffer.from([1, 2, 3])), 1003, 'binary'],
  ];
  for (const [what, send, code, errorCode] of cases) {
    it(`closes ${code} on ${what}`, async () => {
      const { client, server } = await setup();
      const c = client();
      await c.opened();
      send(c);
      const closed = await c.closed;
      assert.equal(closed.code, code);
      assert.ok(closed.reason.length > 0);
      if (errorCode) assert.equal((await c.next('error')).code, errorCode);
      assert.equal(server.sessionCount, 0);
    });
  }

  it('closes 1002 on a message that skips a seq', async () => {
    const { client } = await setup();
    const c = client();
    await c.hello();
    c.send({ t: 'msg', seq: 5, d: 1 });
    assert.equal((await c.closed).code, 1002);
  });

  it('closes 1009 on a frame larger than maxFrameBytes', async () => {
    const { client } = await setup({ maxFrameBytes: 1000 });
    const c = client();
    await c.hello();
    c.send({ t: 'msg', seq: 1, d: 'x'.repeat(2000) });
    assert.equal((await c.closed).code, 1009);
  });

  it('closes 1002 when no hello arrives in time', async () => {
    const { client } = await setup({ helloTimeoutMs: 50 });
    const c = client();
    await c.opened();
    assert.equal((await c.closed).code, 1002);
  });

  it('refuses a browser origin from another host with 403, and allows listed ones', async () => {
    const { url } = await setup();
    const refused = new RawClient(url, { origin: 'https://evil.example' });
    const status = await new Promise<number>((resolve) =>
      refused.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 403);
    const same = new RawClient(url, { origin: url.replace('ws:', 'http:').replace(/\/$/, '') });
    assert.equal((await same.hello()).resumed, false);
    same.close();
    const listed = await setup({ allowedOrigins: ['https://app.example'] });
    const ok = listed.client({ origin: 'https://app.example' });
    assert.equal((await ok.hello()).resumed, false);
  });
});

describe('SessionServer on a shared HTTP server', () => {
  it('takes only upgrades on its path and leaves the others to their listeners', async () => {
    const { createServer } = await import('node:http');
    const { createSessionServer } = await import('../../src/server/index.js');
    const { WebSocket, WebSocketServer } = await import('ws');
    const http = createServer();
    const sessions = createSessionServer({ server: http, path: '/session' });
    const other = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as { port: number };
    try {
      const a = new RawClient(`ws://127.0.0.1:${port}/session`);
      assert.equal((await a.hello()).resumed, false);
      a.close();
      const b = new WebSocket(`ws://127.0.0.1:${port}/other`);
      const first = await new Promise<string>((resolve) => b.once('message', (d) => resolve(d.toString())));
      assert.equal(first, 'other');
      b.terminate();
    } finally {
      await sessions.close();
      other.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

describe('SessionServer against application and client bugs', () => {
  it(
    'refuses with 403 and reports through error when an origin policy throws; the server stays up',
    { timeout: 10_000 },
    async () => {
      let calls = 0;
      const { server, url, client } = await setup({
        allowedOrigins: () => {
          if (++calls === 1) throw new Error('policy bug');
          return true;
        },
      });
      const errors: string[] = [];
      server.on('error', (e) => errors.push(e.message));
      const first = new RawClient(url);
      const status = await new Promise<number>((resolve) =>
        first.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      );
      assert.deepEqual([status, errors], [403, ['policy bug']]);
      assert.equal((await client().hello()).resumed, false);
    },
  );

  it('closes 1002 on an ack past the last message sent, keeping what is owed', { timeout: 10_000 }, async () => {
    const { client, sessions } = await setup();
    const c = client();
    const w = await c.hello();
    c.close();
    await until(() => !sessions[0]!.connected, 'detach');
    sessions[0]!.send('owed');
    const liar = client();
    await liar.hello({ sid: w.sid, token: w.token });
    await liar.next('msg');
    liar.send({ t: 'ack', seq: 5 });
    assert.equal((await liar.closed).code, 1002);
    assert.equal(sessions[0]!.pending, 1);
  });
});

describe('SessionServer.handleUpgrade on another listener', () => {
  it('keeps the path and origin checks, and the sessions', async () => {
    const { createServer } = await import('node:http');
    const { server, url } = await setup({ path: '/s', allowedOrigins: ['https://app.example'] });
    const first = new RawClient(`${url}s`, { origin: 'https://app.example' });
    const w = await first.hello();
    first.close();
    const http = createServer();
    http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `ws://127.0.0.1:${(http.address() as { port: number }).port}`;
    const statusOf = (c: RawClient) =>
      new Promise<number>((resolve) => c.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    try {
      const evil = new RawClient(`${base}/s`, { origin: 'https://evil.example' });
      const wrongPath = new RawClient(`${base}/x`, { origin: 'https://app.example' });
      assert.deepEqual([await statusOf(evil), await statusOf(wrongPath)], [403, 404]);
      const again = new RawClient(`${base}/s`, { origin: 'https://app.example' });
      const w2 = await again.hello({ sid: w.sid, token: w.token });
      assert.deepEqual([w2.resumed, w2.sid], [true, w.sid]);
      again.close();
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

describe('SessionServer lifetime', () => {
  it('expires an unused session after the lifetime, not before', async () => {
    let now = 1_000_000;
    const { client, server, sessions } = await setup({ now: () => now, unusedSessionLifetimeMs: 15000 });
    const c = client();
    await c.hello();
    const expired: string[] = [];
    server.on('expire', (s) => expired.push(s.id));
    now += 60_000;
    assert.deepEqual(server.sweep(), [], 'a connected session never expires');
    c.close();
    await until(() => !sessions[0]!.connected, 'detach');
    now += 14_999;
    assert.deepEqual(server.sweep(), []);
    now += 1;
    assert.deepEqual(server.sweep(), [sessions[0]!.id]);
    assert.deepEqual(expired, [sessions[0]!.id]);
    const again = client();
    const w = await again.hello({ sid: sessions[0]!.id, token: 'whatever' });
    assert.equal(w.reason, 'expired');
  });

  it('sweeps by itself: expiry lands between the lifetime and lifetime + check interval', async () => {
    const { client, server, sessions } = await setup({ unusedSessionLifetimeMs: 150, checkUnusedSessionsMs: 100 });
    const c = client();
    await c.hello();
    c.close();
    await until(() => !sessions[0]!.connected, 'detach');
    const detached = Date.now();
    let expiredAt = 0;
    server.on('expire', () => (expiredAt = Date.now()));
    await until(() => expiredAt > 0, 'expiry', 3000);
    const after = expiredAt - detached;
    assert.ok(after >= 140, `expired after ${after} ms, before the lifetime`);
    // Generous upper bound: lifetime + check interval + scheduling slack on a busy machine.
    assert.ok(after <= 150 + 100 + 400, `expired after ${after} ms`);
  });

  it('never expires a blocked session; blocks nest; maxMs releases a forgotten block', async () => {
    let now = 0;
    const { client, server, sessions } = await setup({ now: () => now, unusedSessionLifetimeMs: 1000 });
    const c = client();
    await c.hello();
    c.close();
    const s = sessions[0]!;
    await until(() => !s.connected, 'detach');
    s.blockExpiration();
    s.blockExpiration();
    now += 10_000;
    assert.deepEqual(server.sweep(), []);
    s.unblockExpiration();
    assert.equal(s.blocked, true);
    now += 10_000;
    assert.deepEqual(server.sweep(), []);
    s.unblockExpiration();
    assert.equal(s.blocked, false);
    assert.deepEqual(server.sweep(), [], 'a full lifetime starts when the last block ends');
    now += 1000;
    assert.deepEqual(server.sweep(), [s.id]);

    const c2 = client();
    await c2.hello();
    c2.close();
    const s2 = sessions[1]!;
    await until(() => !s2.connected, 'detach');
    s2.blockExpiration({ maxMs: 30 });
    assert.equal(s2.blocked, true);
    await until(() => !s2.blocked, 'maxMs release');
  });

  it('a maxMs block nested under a plain one releases only itself', async () => {
    const { client, sessions } = await setup();
    const c = client();
    await c.hello();
    const s = sessions[0]!;
    s.blockExpiration();
    s.blockExpiration({ maxMs: 30 });
    await delay(80);
    assert.equal(s.blocked, true, 'the plain block outlives the timed one');
    // The inner work ends after its block lapsed: its unblock is its own, not the outer block's.
    s.unblockExpiration();
    assert.equal(s.blocked, true, 'the outer work still runs');
    s.unblockExpiration();
    assert.equal(s.blocked, false);
    s.blockExpiration({ maxMs: 60_000 });
    s.close();
    assert.equal(s.blocked, false, 'closing clears blocks and their timers');
  });

  it('a wrong token leaves the real session intact for its owner', async () => {
    const { client, sessions } = await setup();
    const owner = client();
    const w = await owner.hello();
    owner.send({ t: 'msg', seq: 1, d: 'mine' });
    await until(() => sessions[0]!.inSeq === 1, 'message 1');
    owner.close();
    await until(() => !sessions[0]!.connected, 'detach');
    const thief = await client().hello({ sid: w.sid, token: 'guessed', ack: 0 });
    assert.deepEqual([thief.resumed, thief.reason], [false, 'token']);
    assert.notEqual(thief.sid, w.sid);
    const back = await client().hello({ sid: w.sid, token: w.token, ack: 0 });
    assert.deepEqual([back.resumed, back.sid, back.ack], [true, w.sid, 1]);
  });

  it('drain sends a retry hint and closes 1012; sessions stay resumable', async () => {
    const { client, server } = await setup();
    const c = client();
    const w = await c.hello();
    server.drain({ afterMs: 2000, spreadMs: 3000 });
    assert.deepEqual(await c.next('retry'), { t: 'retry', afterMs: 2000, spreadMs: 3000, code: 1012 });
    assert.deepEqual(await c.closed, { code: 1012, reason: 'retry-after=2000;spread=3000' });
    const during = client();
    await during.opened();
    assert.equal((await during.closed).code, 1012);
    server.endDrain();
    const back = client();
    assert.equal((await back.hello({ sid: w.sid, token: w.token })).resumed, true);
  });

  it('session.close() tells the client not to resume (4000)', async () => {
    const { client, sessions, server } = await setup();
    const c = client();
    await c.hello();
    sessions[0]!.close();
    assert.equal((await c.closed).code, 4000);
    assert.equal(server.sessionCount, 0);
  });

  it('refuses new sessions past maxSessions with 1013 and a retry hint', async () => {
    const { client } = await setup({ maxSessions: 1 });
    await client().hello();
    const c = client();
    await c.opened();
    c.send({ t: 'hello', v: 1, ack: 0 });
    const closed = await c.closed;
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /^retry-after=\d+;spread=\d+$/);
  });
});

/** The tests below wait on sockets: a broken server makes them fail in time instead of hanging. */
const T = { timeout: 10_000 };

describe('SessionServer: malformed frames after the handshake', () => {
  // The implementation answers every frame it cannot accept with an error frame and close 1007
  // (src/protocol/frames.ts: bad-json and bad-frame); a sequence gap is 1002 and tested above.
  const cases: [string, string, string][] = [
    ['a msg whose seq is a string', JSON.stringify({ t: 'msg', seq: '2', d: 'x' }), 'bad-frame'],
    ['a msg whose seq is fractional', JSON.stringify({ t: 'msg', seq: 1.5, d: 'x' }), 'bad-frame'],
    ['a msg with seq 0', JSON.stringify({ t: 'msg', seq: 0, d: 'x' }), 'bad-frame'],
    ['a msg with neither d nor b', JSON.stringify({ t: 'msg', seq: 2 }), 'bad-frame'],
    ['invalid JSON', '{"t":"msg","seq":2,', 'bad-json'],
    ['an ack with a negative seq', JSON.stringify({ t: 'ack', seq: -1 }), 'bad-frame'],
    ['a frame of an unknown type', JSON.stringify({ t: 'nope' }), 'bad-frame'],
    [
      'a welcome, which only a server sends',
      JSON.stringify({ t: 'welcome', sid: 's', token: 'k', resumed: false, ack: 0, lifetimeMs: 1 }),
      'bad-frame',
    ],
  ];
  for (const [what, text, errorCode] of cases) {
    it(`answers ${what} with an error frame and 1007, and the session survives for a resume`, T, async () => {
      const { client, server, sessions } = await setup();
      const c = client();
      const w = await c.hello();
      const s = sessions[0]!;
      const got: unknown[] = [];
      s.on('message', (d) => got.push(d));
      s.send('from server');
      await c.next('msg');
      // Sent back to back with the bad frame: what came before it is delivered, not lost.
      c.send({ t: 'msg', seq: 1, d: 'before' });
      c.send(text);
      const closed = await c.closed;
      assert.equal(closed.code, 1007);
      assert.ok(closed.reason.length > 0, 'a close reason');
      const error = await c.next('error');
      assert.equal(error.code, errorCode);
      assert.ok(error.message.length > 0);
      await until(() => !s.connected, 'detach');
      assert.equal(s.closed, false);
      assert.equal(server.sessionCount, 1);
      assert.deepEqual(got, ['before']);

      const again = client();
      const w2 = await again.hello({ sid: w.sid, token: w.token, ack: 0 });
      assert.deepEqual([w2.resumed, w2.sid, w2.ack, w2.seq], [true, w.sid, 1, 1]);
      assert.deepEqual(await again.next('msg'), { t: 'msg', seq: 1, d: 'from server' });
      again.send({ t: 'msg', seq: 2, d: 'after' });
      await until(() => got.length === 2, 'message 2');
      assert.deepEqual(got, ['before', 'after']);
      assert.equal(again.ws.readyState, 1);
    });
  }

  it('a malformed frame on a resumed socket leaves the session resumable with the rotated token', T, async () => {
    const { client, sessions } = await setup();
    const first = client();
    const w1 = await first.hello();
    first.close();
    await until(() => !sessions[0]!.connected, 'detach');
    const second = client();
    const w2 = await second.hello({ sid: w1.sid, token: w1.token });
    assert.equal(w2.resumed, true);
    second.send(JSON.stringify({ t: 'ack', seq: -5 }));
    assert.equal((await second.closed).code, 1007);
    assert.equal((await second.next('error')).code, 'bad-frame');
    await until(() => !sessions[0]!.connected, 'detach');
    assert.equal(sessions[0]!.closed, false);
    const third = client();
    const w3 = await third.hello({ sid: w1.sid, token: w2.token });
    assert.deepEqual([w3.resumed, w3.sid], [true, w1.sid]);
    assert.notEqual(w3.token, w2.token);
  });

  it('survives a burst of malformed frames from many sockets (never a crash)', T, async () => {
    const { client, server } = await setup();
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));
    const bad = [
      '',
      '[]',
      'null',
      '"str"',
      '{"t":1}',
      '{"t":"msg","seq":1e400,"d":1}',
      '{"t":"ack"}',
      '{"t":"ping","ts":"x"}',
    ];
    const clients = await Promise.all(
      bad.map(async (text) => {
        const c = client();
        await c.hello();
        c.send(text);
        return c;
      }),
    );
    const codes = await Promise.all(clients.map(async (c) => (await c.closed).code));
    assert.deepEqual(
      codes,
      bad.map(() => 1007),
    );
    assert.deepEqual(errors, []);
    assert.equal(server.sessionCount, bad.length, 'every session is kept for a resume');
    assert.equal((await client().hello()).resumed, false, 'the server still takes new sockets');
  });
});

/** Resolves with 101 when the upgrade succeeds, or the HTTP status it was refused with. */
function upgradeStatus(c: RawClient): Promise<number> {
  // A refused handshake leaves the client CONNECTING: its later terminate() reports an error, which is expected.
  c.ws.on('error', () => {});
  return new Promise((resolve) => {
    c.ws.once('open', () => resolve(101));
    c.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

describe('SessionServer origin policy on real sockets', () => {
  it('accepts a client that sends no Origin header (a non-browser client) by default', T, async () => {
    const { client, server } = await setup();
    const origins: (string | undefined)[] = [];
    server.wss.on('connection', (_ws, req) => origins.push(req.headers.origin));
    const c = client();
    assert.equal(await upgradeStatus(c), 101);
    assert.equal((await c.hello()).resumed, false);
    // The ws client sends an Origin only when told to: the server really saw none.
    assert.deepEqual(origins, [undefined]);
  });

  it('with a list, still accepts a client without an Origin', T, async () => {
    const { client } = await setup({ allowedOrigins: ['https://app.example'] });
    const c = client();
    assert.equal(await upgradeStatus(c), 101);
    assert.equal((await c.hello()).resumed, false);
  });

  it("accepts any browser origin with allowedOrigins ['*']", T, async () => {
    const { client } = await setup({ allowedOrigins: ['*'] });
    for (const origin of ['https://anything.example', 'null', 'http://localhost:1234']) {
      const c = client({ origin });
      assert.equal(await upgradeStatus(c), 101, origin);
      assert.equal((await c.hello()).resumed, false);
      c.close();
    }
  });

  it('asks a function policy with the Origin and the request, and refuses with 403 when it says no', T, async () => {
    const calls: [string | undefined, string | undefined][] = [];
    const { server } = await setup({
      path: '/s',
      allowedOrigins: (origin, req) => {
        calls.push([origin, req.url]);
        return origin === 'https://ok.example' || (origin === undefined && req.url === '/s?tool=1');
      },
    });
    const base = `ws://127.0.0.1:${server.port}`;
    const ok = new RawClient(`${base}/s`, { origin: 'https://ok.example' });
    const evil = new RawClient(`${base}/s`, { origin: 'https://evil.example' });
    const sameHost = new RawClient(`${base}/s`, { origin: base.replace('ws:', 'http:') });
    const tool = new RawClient(`${base}/s?tool=1`);
    const bare = new RawClient(`${base}/s`);
    const all = [ok, evil, sameHost, tool, bare];
    try {
      assert.deepEqual(await Promise.all(all.map(upgradeStatus)), [101, 403, 403, 101, 403]);
      assert.equal((await ok.hello()).resumed, false);
      assert.equal((await tool.hello()).resumed, false);
      assert.equal(server.sessionCount, 2);
      assert.deepEqual(
        calls.sort((a, b) => String(a).localeCompare(String(b))),
        [
          ['https://evil.example', '/s'],
          ['https://ok.example', '/s'],
          [base.replace('ws:', 'http:'), '/s'],
          [undefined, '/s'],
          [undefined, '/s?tool=1'],
        ].sort((a, b) => String(a).localeCompare(String(b))),
      );
    } finally {
      for (const c of all) c.close();
    }
  });
});

describe('SessionServer replay gap by bytes', () => {
  const frameBytes = (seq: number, d: string) => Buffer.byteLength(JSON.stringify({ t: 'msg', seq, d }));
  const payload = 'x'.repeat(100);

  it(
    'answers resumed:false, reason replay-gap when more than maxReplayBytes went unacknowledged while away',
    T,
    async () => {
      const maxReplayBytes = 300;
      const { client, server, sessions } = await setup({ maxReplayBytes, replayOverflow: 'evict' });
      const a = client();
      const w = await a.hello();
      a.close();
      const s = sessions[0]!;
      await until(() => !s.connected, 'detach');
      let sent = 0;
      let count = 0;
      while (sent <= maxReplayBytes) {
        sent += frameBytes(s.send(payload), payload);
        count++;
      }
      assert.ok(count < 10, 'well under maxReplayMessages: only the byte bound can cause the gap');
      const b = client();
      const w2 = await b.hello({ sid: w.sid, token: w.token, ack: 0 });
      assert.deepEqual([w2.resumed, w2.reason], [false, 'replay-gap']);
      assert.notEqual(w2.sid, w.sid);
      assert.equal(w2.seq, 0, 'the new session starts its numbering again');
      assert.equal(s.closed, true);
      assert.equal(server.getSession(w.sid), undefined);
      await delay(30);
      assert.deepEqual(
        b.frames.filter((f) => f.t === 'msg'),
        [],
        'nothing of the old session is replayed into the new one',
      );
    },
  );

  it(
    'resumes when what went unacknowledged fits in maxReplayBytes, counting only unacknowledged bytes',
    T,
    async () => {
      const maxReplayBytes = 300;
      const { client, sessions } = await setup({ maxReplayBytes, replayOverflow: 'evict' });
      const a = client();
      const w = await a.hello();
      const s = sessions[0]!;
      // Acknowledged while connected: these no longer count against the bound.
      for (let i = 0; i < 4; i++) s.send(payload);
      for (let i = 0; i < 4; i++) await a.next('msg');
      a.send({ t: 'ack', seq: 4 });
      await until(() => s.pending === 0, 'ack 4');
      a.close();
      await until(() => !s.connected, 'detach');
      s.send(payload);
      s.send(payload);
      assert.ok(frameBytes(5, payload) + frameBytes(6, payload) <= maxReplayBytes);
      const b = client();
      const w2 = await b.hello({ sid: w.sid, token: w.token, ack: 4 });
      assert.deepEqual([w2.resumed, w2.sid, w2.seq], [true, w.sid, 6]);
      assert.deepEqual([(await b.next('msg')).seq, (await b.next('msg')).seq], [5, 6]);
    },
  );

  it(
    'a client that received everything before leaving resumes even though the buffer evicted unacknowledged bytes',
    T,
    async () => {
      const { client, sessions } = await setup({ maxReplayBytes: 300, replayOverflow: 'evict' });
      const a = client();
      const w = await a.hello();
      const s = sessions[0]!;
      for (let i = 0; i < 5; i++) s.send(payload);
      for (let i = 0; i < 5; i++) await a.next('msg');
      a.close();
      await until(() => !s.connected, 'detach');
      const b = client();
      const w2 = await b.hello({ sid: w.sid, token: w.token, ack: 5 });
      assert.deepEqual([w2.resumed, w2.sid], [true, w.sid]);
      const c = client();
      const w3 = await c.hello({ sid: w.sid, token: w2.token, ack: 0 });
      assert.deepEqual([w3.resumed, w3.reason], [false, 'replay-gap'], 'but one that asks for evicted messages cannot');
    },
  );
});

describe('SessionServer resume event', () => {
  it('reports how many messages were sent again and the outage from the injected clock', T, async () => {
    let now = 1_000_000;
    const { client, server, sessions } = await setup({ now: () => now });
    const resumes: [string, { replayed: number; outageMs: number }][] = [];
    server.on('resume', (s, info) => resumes.push([s.id, info]));
    const a = client();
    const w = await a.hello();
    const s = sessions[0]!;
    for (let i = 1; i <= 3; i++) s.send(i);
    for (let i = 1; i <= 3; i++) await a.next('msg');
    a.send({ t: 'ack', seq: 1 });
    await until(() => s.pending === 2, 'ack 1');
    now += 4_000;
    a.close();
    await until(() => !s.connected, 'detach');
    now += 7_500;
    s.send(4);
    s.send(5);
    now += 250;
    assert.deepEqual(resumes, [], 'no resume event for a new session');

    // Messages 2 and 3 were lost in flight: the client acknowledges only 1.
    const b = client();
    const w2 = await b.hello({ sid: w.sid, token: w.token, ack: 1 });
    assert.equal(w2.resumed, true);
    const replayed: number[] = [];
    for (let i = 0; i < 4; i++) replayed.push((await b.next('msg')).seq);
    assert.deepEqual(replayed, [2, 3, 4, 5]);
    assert.deepEqual(resumes, [[w.sid, { replayed: 4, outageMs: 7_750 }]]);

    b.send({ t: 'ack', seq: 5 });
    await until(() => s.pending === 0, 'ack 5');
    b.close();
    await until(() => !s.connected, 'detach');
    now += 60_000;
    const c = client();
    await c.hello({ sid: w.sid, token: w2.token, ack: 5 });
    await delay(30);
    assert.equal(c.frames.filter((f) => f.t === 'msg').length, 0);
    assert.deepEqual(resumes[1], [w.sid, { replayed: 0, outageMs: 60_000 }]);
  });

  it('reports an outage of 0 when a newer socket takes over one that is still attached', T, async () => {
    let now = 5_000;
    const { client, server, sessions } = await setup({ now: () => now });
    const infos: { replayed: number; outageMs: number }[] = [];
    server.on('resume', (_s, info) => infos.push(info));
    const a = client();
    const w = await a.hello();
    sessions[0]!.send('unacked');
    await a.next('msg');
    now += 30_000;
    const b = client();
    await b.hello({ sid: w.sid, token: w.token, ack: 0 });
    assert.deepEqual(await b.next('msg'), { t: 'msg', seq: 1, d: 'unacked' });
    assert.deepEqual(infos, [{ replayed: 1, outageMs: 0 }]);
    assert.equal((await a.closed).code, 4001);
  });

  it('emits no resume event for a refused resume (wrong token, replay gap)', T, async () => {
    const { client, server, sessions } = await setup({ maxReplayMessages: 1, replayOverflow: 'evict' });
    let resumes = 0;
    server.on('resume', () => resumes++);
    const a = client();
    const w = await a.hello();
    a.close();
    await until(() => !sessions[0]!.connected, 'detach');
    assert.equal((await client().hello({ sid: w.sid, token: 'wrong' })).reason, 'token');
    sessions[0]!.send(1);
    sessions[0]!.send(2);
    assert.equal((await client().hello({ sid: w.sid, token: w.token })).reason, 'replay-gap');
    assert.equal(resumes, 0);
  });
});
