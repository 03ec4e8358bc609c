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
    const { client, sessions } = await setup({ maxReplayMessages: 3 });
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

  it('closes with 1008 after too many wrong tokens from one address', async () => {
    const { client, server } = await setup({ maxBadTokensPerMinute: 2 });
    const issued = server.createSession();
    for (let i = 0; i < 2; i++)
      assert.equal((await client().hello({ sid: issued.id, token: 'wrong' })).reason, 'token');
    const c = client();
    await c.opened();
    c.send({ t: 'hello', v: 1, ack: 0, sid: issued.id, token: 'wrong' });
    assert.deepEqual(await c.closed, { code: 1008, reason: 'too many invalid resume tokens' });
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
    assert.deepEqual(await c.next('retry'), { t: 'retry', afterMs: 2000, spreadMs: 3000 });
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
