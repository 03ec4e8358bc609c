import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, SessionServer, SessionServerError } from '../../src/server/index.js';
import { MemoryStore } from '../../src/server/store/memory-store.js';
import { RedisStore } from '../../src/server/store/redis-store.js';
import { RawClient, startServer, until } from './support.js';
import { freePort, haveRedis, TestRedis } from './redis-support.js';
import { NodeProcess, sessionClient, TestBalancer } from './cluster-support.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('sessions in Redis across nodes and restarts', { skip: !haveRedis }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await TestRedis.start();
  });
  after(() => redis.stop());

  for (const count of [2, 3]) {
    it(`a client moved between ${count} nodes mid-stream: nothing lost, exactly once both ways`, async () => {
      const names = ['A', 'B', 'C'].slice(0, count);
      const nodes = await Promise.all(
        names.map((name) => startServer({ redis: redis.url, nodeId: `${name}${count}`, ackDelayMs: 2 })),
      );
      const balancer = new TestBalancer(nodes.map((n) => n.server.port));
      const url = `ws://127.0.0.1:${await balancer.listen()}/`;
      const toServer: unknown[] = [];
      const seqs: number[] = [];
      const seen: Session[][] = nodes.map(() => []);
      const resumes = nodes.map(() => 0);
      nodes.forEach((node, i) => {
        node.server.on('session', (s) => {
          seen[i]!.push(s);
          s.on('message', (d, { seq }) => {
            toServer.push(d);
            seqs.push(seq);
          });
        });
        node.server.on('resume', () => resumes[i]!++);
      });
      const c = sessionClient(url);
      try {
        await until(() => c.client.status === 'open' && seen[0]!.length === 1, 'open on the first node');
        const onA = seen[0]![0]!;
        const N = 300;
        let moves = 0;
        for (let i = 0; i < N; i++) {
          c.client.send(i);
          // Always through the session object the first node handed out: after a move it forwards through Redis.
          onA.send(i);
          if (i % 60 === 30) {
            const target = ++moves % count;
            const before = resumes[target]!;
            balancer.moveTo(target);
            await until(() => resumes[target]! > before, `resumed on node ${names[target]} (move ${moves})`, 5000);
          }
          if (i % 7 === 0) await new Promise((r) => setTimeout(r, 2));
        }
        await until(
          () => toServer.length >= N && c.received.length >= N,
          `all messages (${toServer.length}, ${c.received.length})`,
          15_000,
        );
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(c.received, range(N), 'server → client: exactly once, in order');
        // Client → server: the old owner hands the session over (socket closed, handled seqs stored) before the new
        // one claims it, so nothing is handled twice (cluster-handoff.test.ts moves it harder).
        assert.deepEqual(toServer, range(N), 'client → server: exactly once, in order');
        assert.deepEqual(
          seqs,
          range(N).map((i) => i + 1),
        );
        assert.equal(c.news(), 1, 'one session throughout');
        assert.ok(moves >= 4);
        for (let i = 1; i < count; i++) assert.ok(seen[i]!.length >= 1, `node ${names[i]} took the session over`);
        assert.equal(onA.moved, true);
      } finally {
        c.client.dispose();
        await balancer.close();
        for (const n of nodes) await n.server.close();
      }
    });
  }

  it('drain() on one node: its clients come back to another and resume', async () => {
    const a = await startServer({ redis: redis.url, nodeId: 'DA', ackDelayMs: 2 });
    const b = await startServer({ redis: redis.url, nodeId: 'DB', ackDelayMs: 2 });
    const balancer = new TestBalancer([a.server.port, b.server.port]);
    const url = `ws://127.0.0.1:${await balancer.listen()}/`;
    const toServer: unknown[] = [];
    for (const n of [a, b]) n.server.on('session', (s) => s.on('message', (d) => toServer.push(d)));
    let resumedOnB = 0;
    b.server.on('resume', () => resumedOnB++);
    const c = sessionClient(url);
    try {
      await until(() => c.client.status === 'open', 'open');
      for (let i = 0; i < 50; i++) c.client.send(i);
      balancer.current = 1;
      a.server.drain({ afterMs: 0, spreadMs: 50 });
      for (let i = 50; i < 100; i++) c.client.send(i);
      await until(() => toServer.length >= 100 && resumedOnB === 1, `all on B (${toServer.length})`, 10_000);
      assert.deepEqual(toServer, range(100));
      assert.equal(c.news(), 1);
    } finally {
      c.client.dispose();
      await balancer.close();
      await a.server.close();
      await b.server.close();
    }
  });

  it('a takeover closes the old socket with 4001 and the old owner can no longer write', async () => {
    const a = await startServer({ redis: redis.url, nodeId: 'A2' });
    const b = await startServer({ redis: redis.url, nodeId: 'B2' });
    let onA: Session | undefined;
    a.server.on('session', (s) => (onA = s));
    const resumedOnB: Session[] = [];
    b.server.on('resume', (s) => resumedOnB.push(s));
    const first = new RawClient(a.url);
    const second = new RawClient(b.url);
    try {
      const welcome = await first.hello();
      onA!.send('before');
      await first.next('msg');
      await onA!.flushed();
      const again = await second.hello({ sid: welcome.sid, token: welcome.token, ack: 1 });
      assert.equal(again.resumed, true);
      assert.equal(again.seq, 1);
      assert.equal((await first.closed).code, 4001);
      await until(() => onA!.moved, 'node A let go');
      // A's object now forwards through Redis to B, which numbers the message.
      assert.equal(onA!.send('from A'), 0);
      const m = await second.next('msg');
      assert.deepEqual([m.seq, m.d], [2, 'from A']);
      const stored = await b.server.getSession(welcome.sid)!.flushed();
      assert.equal(stored, undefined);
      assert.equal(resumedOnB.length, 1);
    } finally {
      first.close();
      second.close();
      await a.server.close();
      await b.server.close();
    }
  });

  it('the right token resumes on either node after 60 wrong ones from its address on both', async () => {
    const opts = { redis: redis.url, maxBadTokensPerMinute: 5, badTokenDelayMs: 50 };
    const a = await startServer({ ...opts, nodeId: 'A5' });
    const b = await startServer({ ...opts, nodeId: 'B5' });
    let onA: Session | undefined;
    a.server.on('session', (s) => (onA ??= s));
    const owner = new RawClient(a.url);
    const guessers: RawClient[] = [];
    try {
      const welcome = await owner.hello();
      onA!.send('owed');
      await onA!.flushed();
      owner.close();
      await owner.closed;
      const answers = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const g = new RawClient(i % 2 ? a.url : b.url);
          guessers.push(g);
          const w = await g.hello({ sid: welcome.sid, token: `guess-${i}` });
          g.close();
          return `${w.resumed} ${w.reason}`;
        }),
      );
      assert.deepEqual(new Set(answers), new Set(['false token']));
      const back = new RawClient(b.url);
      guessers.push(back);
      const again = await back.hello({ sid: welcome.sid, token: welcome.token });
      assert.deepEqual([again.resumed, again.sid], [true, welcome.sid]);
      assert.equal((await back.next('msg')).d, 'owed');
    } finally {
      for (const g of guessers) g.close();
      await a.server.close();
      await b.server.close();
    }
  });

  it('expiry with three sweeping nodes expires each session once, on one node', async () => {
    const nodes: SessionServer[] = [];
    const expired: string[] = [];
    for (const n of [1, 2, 3]) {
      const { server } = await startServer({
        redis: redis.url,
        nodeId: `S${n}`,
        unusedSessionLifetimeMs: 150,
        checkUnusedSessionsMs: 30,
        leaseMs: 300,
      });
      server.on('expire', (s) => expired.push(s.id));
      nodes.push(server);
    }
    const ids: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const c = new RawClient(`ws://127.0.0.1:${nodes[i % 3]!.port}/`);
        ids.push((await c.hello()).sid);
        c.close();
      }
      await until(() => expired.length >= 12, `expiries (${expired.length})`, 5000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(expired.filter((id) => ids.includes(id)).sort(), [...ids].sort());
      const late = new RawClient(`ws://127.0.0.1:${nodes[0]!.port}/`);
      const w = await late.hello({ sid: ids[0], token: 'x'.repeat(43) });
      assert.equal(w.reason, 'expired');
      late.close();
    } finally {
      for (const n of nodes) await n.close();
    }
  });

  it('a blocked session on a live node is not expired by the others', async () => {
    const a = await startServer({
      redis: redis.url,
      unusedSessionLifetimeMs: 100,
      checkUnusedSessionsMs: 30,
      leaseMs: 300,
    });
    const b = await startServer({ redis: redis.url, unusedSessionLifetimeMs: 100, checkUnusedSessionsMs: 30 });
    let session: Session | undefined;
    a.server.on('session', (s) => (session = s));
    const expired: string[] = [];
    // Sessions earlier tests left in this Redis expire here too: count only this one.
    const mine = (s: Session) => s.id === session?.id && expired.push(s.id);
    b.server.on('expire', mine);
    a.server.on('expire', mine);
    try {
      const c = new RawClient(a.url);
      await c.hello();
      const block = session!.blockExpiration();
      c.close();
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(expired, []);
      block.release();
      await until(() => expired.length === 1, 'expired after the block', 3000);
    } finally {
      await a.server.close();
      await b.server.close();
    }
  });
});

describe('a node killed with SIGKILL', { skip: !haveRedis }, () => {
  let redis: TestRedis;
  before(async () => {
    redis = await TestRedis.start();
  });
  after(() => redis.stop());

  it('restarted on its port, resumes every session from Redis (not unknown), nothing lost', async () => {
    const port = await freePort();
    const node = new NodeProcess(port, redis.url, 'solo');
    await node.start();
    const clients = range(8).map(() => sessionClient(`ws://127.0.0.1:${port}/`, '50'));
    try {
      await until(() => clients.every((c) => c.client.status === 'open'), 'all open', 10_000);
      const N = 120;
      for (let i = 0; i < N; i++) {
        for (const c of clients) c.client.send(i);
        if (i === 60) {
          await node.kill();
          await node.start();
        }
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await until(
        () => clients.every((c) => c.received.length >= N),
        `echoes (${clients.map((c) => c.received.length)})`,
        20_000,
      );
      for (const c of clients) {
        assert.deepEqual(
          c.received,
          range(N).map((i) => ({ echo: i })),
        );
        assert.equal(c.news(), 1, `resumed, not new (${c.reasons.join()})`);
      }
    } finally {
      for (const c of clients) c.client.dispose();
      await node.kill();
    }
  });

  it('the owner of two behind a balancer dies mid-stream: the client resumes on the other, exactly once', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = new NodeProcess(pa, redis.url, 'KA');
    const b = new NodeProcess(pb, redis.url, 'KB');
    await Promise.all([a.start(), b.start()]);
    const balancer = new TestBalancer([pa, pb]);
    const url = `ws://127.0.0.1:${await balancer.listen()}/`;
    const c = sessionClient(url, '20');
    try {
      await until(() => c.client.status === 'open', 'open', 10_000);
      const N = 400;
      for (let i = 0; i < N; i++) {
        c.client.send(i);
        if (i === 150) await a.kill();
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      await until(() => c.received.length >= N, `echoes (${c.received.length})`, 20_000);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        c.received,
        range(N).map((i) => ({ echo: i })),
      );
      assert.equal(c.news(), 1, `resumed on B (${c.reasons.join()})`);
    } finally {
      c.client.dispose();
      await balancer.close();
      await a.kill();
      await b.kill();
    }
  });
});

describe('Redis restarted or unreachable', { skip: !haveRedis }, () => {
  it('sends wait while Redis is down (errors reported, no crash), resumes are told to come back, then all arrives', async () => {
    const redis = await TestRedis.start({ aof: true });
    const { server, url } = await startServer({ redis: redis.url });
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));
    let session: Session | undefined;
    server.on('session', (s) => (session = s));
    const c = new RawClient(url);
    try {
      const welcome = await c.hello();
      session!.send('one');
      assert.equal((await c.next('msg')).d, 'one');
      await redis.kill();
      session!.send('two');
      const flushed = session!.flushed();
      await until(() => errors.length > 0, 'a reported store error', 10_000);
      const reported = errors[0] as SessionServerError;
      assert.match(reported.code, /^ERR_STORE_/, reported.message);
      assert.ok(reported.cause instanceof Error, 'the store client error is the cause');
      assert.equal(
        c.frames.filter((f) => f.t === 'msg').length,
        0,
        'nothing the store does not have reaches the client',
      );
      const other = new RawClient(url);
      await other.opened();
      other.send({ t: 'hello', v: 1, ack: 1, sid: welcome.sid, token: welcome.token });
      const closed = await other.closed;
      assert.equal(closed.code, 1013, 'come back later');
      await redis.restart();
      await flushed;
      const m = await c.next('msg', 10_000);
      assert.deepEqual([m.seq, m.d], [2, 'two']);
    } finally {
      c.close();
      await server.close();
      await redis.stop();
    }
  });

  it('Redis restarted without its data: the session ends with 4000, nothing is silently dropped', async () => {
    const redis = await TestRedis.start();
    const { server, url } = await startServer({ redis: redis.url });
    server.on('error', () => {});
    let session: Session | undefined;
    server.on('session', (s) => (session = s));
    const c = new RawClient(url);
    try {
      await c.hello();
      session!.send('one');
      await c.next('msg');
      await redis.kill();
      await redis.restart();
      session!.send('two');
      assert.equal((await c.closed).code, 4000);
      assert.equal(
        c.frames.some((f) => f.t === 'msg'),
        false,
      );
    } finally {
      c.close();
      await server.close();
      await redis.stop();
    }
  });
});

describe('with Redis', () => {
  it('redis-server is installed', () => assert.ok(haveRedis, 'no redis-server (apt-get install redis-server)'));
  it('the store keeps no token in clear after a resume through the server', { skip: !haveRedis }, async () => {
    const redis = await TestRedis.start();
    const { server, url } = await startServer({ redis: redis.url });
    const store = new RedisStore(redis.url);
    try {
      const c = new RawClient(url);
      const w = await c.hello();
      c.close();
      const d = new RawClient(url);
      const w2 = await d.hello({ sid: w.sid, token: w.token });
      d.send({ t: 'ping' });
      await d.next('pong');
      const redis = await store.client();
      const keys = await redis.keys('*');
      let dump = '';
      for (const k of keys) if ((await redis.type(k)) === 'hash') dump += JSON.stringify(await redis.hgetall(k));
      assert.ok(!dump.includes(w.token) && !dump.includes(w2.token));
      d.close();
    } finally {
      await store.close();
      await server.close();
      await redis.stop();
    }
  });
});

describe('client → server across a node death', () => {
  // Dead: no longer listening, so the next node claims at once. Hung: listening but never storing, so the next node
  // claims once the hand-over has waited half a lease (300 ms here; the default 10 s lease would outlast `hello()`).
  for (const how of ['dead', 'hung'] as const)
    it(`a message handled but not stored before the node ${how === 'dead' ? 'died' : 'hung'} is handled again, with the same seq`, async () => {
      const shared = new MemoryStore();
      let stalled = false;
      // Node A's view of the store: once stalled, its writes never land (the node "dies" before they do).
      const storeA = new Proxy(shared, {
        get(target, name) {
          if (name === 'write' && stalled) return () => new Promise(() => {});
          if (name === 'subscribe' && how === 'dead') return async () => async () => {};
          const value = Reflect.get(target, name) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const leaseMs = how === 'dead' ? 10_000 : 600;
      const a = await startServer({ store: storeA, nodeId: 'dying', closeTimeoutMs: 100, leaseMs });
      const b = await startServer({ store: shared, nodeId: 'next', leaseMs });
      const handled: [string, unknown, number][] = [];
      let onA: Session | undefined;
      a.server.on('session', (s) => {
        onA = s;
        s.on('message', (d, { seq }) => handled.push(['A', d, seq]));
      });
      b.server.on('session', (s) => s.on('message', (d, { seq }) => handled.push(['B', d, seq])));
      const first = new RawClient(a.url);
      const second = new RawClient(b.url);
      try {
        const w = await first.hello();
        await onA!.flushed();
        stalled = true;
        first.send({ t: 'msg', seq: 1, d: 'pay 10' });
        await until(() => handled.length === 1, 'handled on A');
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(
          first.frames.some((f) => f.t === 'ack'),
          false,
          'not acknowledged: not stored',
        );
        first.close();
        const again = await second.hello({ sid: w.sid, token: w.token });
        assert.equal(again.resumed, true);
        assert.equal(again.ack, 0, 'the store never had seq 1');
        second.send({ t: 'msg', seq: 1, d: 'pay 10' });
        await until(() => handled.length === 2, 'handled on B');
        assert.deepEqual(handled, [
          ['A', 'pay 10', 1],
          ['B', 'pay 10', 1],
        ]);
        assert.equal((await second.next('ack')).seq, 1);
      } finally {
        first.close();
        second.close();
        await a.server.close();
        await b.server.close();
      }
    });
});

describe('maxSessions with a store', () => {
  it('counts sessions read back from the store: past it a resume is turned away like a new session, and nothing is claimed', async () => {
    const shared = new MemoryStore();
    const a = await startServer({ store: shared, nodeId: 'before' });
    const made: { sid: string; token: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const c = new RawClient(a.url);
      const w = await c.hello();
      made.push({ sid: w.sid, token: w.token });
      c.close();
    }
    for (const s of a.server.sessions) await s.flushed();
    await a.server.close();
    // The node restarted with room for one session.
    const b = await startServer({ store: shared, nodeId: 'after', maxSessions: 1 });
    const c = await startServer({ store: shared, nodeId: 'other' });
    const rejects: string[] = [];
    b.server.on('reject', (r) => rejects.push(r.reason));
    try {
      const first = new RawClient(b.url);
      assert.equal((await first.hello(made[0])).resumed, true);
      const second = new RawClient(b.url);
      await second.opened();
      second.send({ t: 'hello', v: 1, ack: 0, ...made[1] });
      assert.equal((await second.next('retry')).t, 'retry');
      assert.equal((await second.closed).code, 1013);
      assert.deepEqual(rejects, ['maxSessions (1) reached']);
      assert.equal(b.server.sessionCount, 1);
      assert.equal((await shared.get(made[1]!.sid))!.owner, 'before', 'not claimed');
      const elsewhere = new RawClient(c.url);
      assert.equal((await elsewhere.hello(made[1])).resumed, true, 'the token still works on a node with room');
      first.close();
      elsewhere.close();
    } finally {
      await b.server.close();
      await c.server.close();
    }
  });
});

describe('two resumes of one session on one node at once', () => {
  it('the second waits for the first and continues the same session: nothing is handled twice', async () => {
    const shared = new MemoryStore();
    // Claims take a while and writes longer, so the second claim starts before the first answers, and the handled
    // message's seq is not stored yet when it does.
    const slow = new Proxy(shared, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        const ms = name === 'claim' ? 30 : name === 'write' ? 150 : 0;
        return async (...args: unknown[]) => {
          if (ms) await new Promise((r) => setTimeout(r, ms));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const { server, url } = await startServer({ store: slow, nodeId: 'one' });
    const sessions: Session[] = [];
    const handled: number[] = [];
    server.on('session', (s) => {
      sessions.push(s);
      s.on('message', (_d, { seq }) => handled.push(seq));
    });
    const first = new RawClient(url);
    const second = new RawClient(url);
    const third = new RawClient(url);
    try {
      const w = await first.hello();
      await sessions[0]!.flushed();
      first.send({ t: 'msg', seq: 1, d: 'pay 10' });
      await until(() => handled.length === 1, 'handled');
      first.close();
      await Promise.all([second.opened(), third.opened()]);
      second.send({ t: 'hello', v: 1, ack: 0, sid: w.sid, token: w.token });
      third.send({ t: 'hello', v: 1, ack: 0, sid: w.sid, token: w.token });
      const welcome = await third.next('welcome');
      assert.equal(welcome.resumed, true);
      assert.equal(welcome.ack, 1, 'the session that handled seq 1');
      third.send({ t: 'msg', seq: 1, d: 'pay 10' });
      third.send({ t: 'msg', seq: 2, d: 'pay 20' });
      await until(() => handled.length >= 2, 'seq 2 handled');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(handled, [1, 2]);
      assert.equal(sessions.length, 1, 'no second copy read back from the store');
    } finally {
      first.close();
      second.close();
      third.close();
      await server.close();
    }
  });
});
