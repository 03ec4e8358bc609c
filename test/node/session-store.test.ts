import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/server/store/memory-store.js';
import { RedisStore } from '../../src/server/store/redis-store.js';
import { hashToken, type NodeMessage, type SessionStore } from '../../src/server/store/session-store.js';
import { haveRedis, REDIS_SERVER, TestRedis } from './redis-support.js';
import { haveRedisCluster, REDIS_CLI, TestRedisCluster } from './redis-cluster-support.js';

let counter = 0;
const sid = () => `s${Date.now().toString(36)}${++counter}`;
const h = hashToken;

function contract(name: string, make: () => Promise<{ store: SessionStore; done(): Promise<void> }>) {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    let done: () => Promise<void>;
    before(async () => {
      ({ store, done } = await make());
      store.configure({ safetyTtlMs: 60_000 });
    });
    after(() => done());

    async function created(token = 'tok') {
      const id = sid();
      await store.create({ id, tokenHash: h(token), owner: 'A', createdAt: 1000, address: '1.2.3.4', score: 5000 });
      return id;
    }

    it('creates, reads back, and refuses unknown IDs and wrong tokens', async () => {
      const id = await created();
      assert.deepEqual(await store.get(id), {
        id,
        inSeq: 0,
        outSeq: 0,
        owner: 'A',
        fence: 1,
        createdAt: 1000,
        detachedAt: null,
        address: '1.2.3.4',
        user: '',
      });
      const claim = { node: 'B', newTokenHash: h('t2'), ack: 0, score: 1, cachedFence: 0 };
      assert.deepEqual(await store.claim('nope', { ...claim, presentedHash: h('tok') }), { status: 'unknown' });
      assert.deepEqual(await store.claim(id, { ...claim, presentedHash: h('bad') }), { status: 'token' });
      assert.equal(await store.get('nope'), null);
    });

    it("keeps the session's user: another user's claim, even with the right token, changes nothing", async () => {
      const id = sid();
      await store.create({ id, tokenHash: h('tok'), owner: 'A', createdAt: 1, address: 'x', user: 'ada', score: 5000 });
      const claim = { node: 'B', presentedHash: h('tok'), newTokenHash: h('t2'), ack: 0, score: 1, cachedFence: 0 };
      assert.deepEqual(await store.claim(id, { ...claim, user: 'mallory' }), { status: 'user' });
      assert.deepEqual(await store.claim(id, claim), { status: 'user' }, 'nor an anonymous one');
      assert.equal((await store.get(id))!.owner, 'A');
      const r = await store.claim(id, { ...claim, user: 'ada' });
      assert.equal(r.status, 'ok');
      assert.equal(r.status === 'ok' && r.session.user, 'ada');
    });

    it('keeps outgoing frames until acknowledged, in order, and a claim hands them to the new owner', async () => {
      const id = await created();
      const ops = [1, 2, 3].map((seq) => ({ op: 'out' as const, seq, frame: `{"t":"msg","seq":${seq},"d":${seq}}` }));
      assert.equal(await store.write(id, 1, [...ops, { op: 'in', seq: 7 }]), 'ok');
      assert.equal(await store.write(id, 1, [{ op: 'ack', seq: 1 }]), 'ok');
      assert.deepEqual(
        (await store.frames(id, 0)).map((f) => f.seq),
        [2, 3],
      );
      const r = await store.claim(id, {
        node: 'B',
        presentedHash: h('tok'),
        newTokenHash: h('t2'),
        ack: 2,
        score: 1,
        cachedFence: 0,
      });
      assert.equal(r.status, 'ok');
      if (r.status !== 'ok') return;
      assert.equal(r.previousOwner, 'A');
      assert.equal(r.session.fence, 2);
      assert.equal(r.session.inSeq, 7);
      assert.equal(r.session.outSeq, 3);
      assert.deepEqual(r.frames, [{ seq: 3, frame: '{"t":"msg","seq":3,"d":3}' }]);
      assert.equal((await store.get(id))!.owner, 'B');
    });

    it('a claim that asks first changes nothing while another node owns the session, and a conditional one waits for no fence change', async () => {
      const id = await created();
      const ask = { node: 'B', newTokenHash: h('t2'), ack: 0, score: 1, cachedFence: 0, handoff: true };
      assert.deepEqual(await store.claim(id, { ...ask, presentedHash: h('bad') }), { status: 'token' });
      assert.deepEqual(await store.claim(id, { ...ask, presentedHash: h('tok') }), {
        status: 'owned',
        owner: 'A',
        fence: 1,
      });
      assert.equal(await store.write(id, 1, [{ op: 'in', seq: 4 }]), 'ok', 'the owner still writes');
      const claim = { ...ask, handoff: false };
      assert.deepEqual(await store.claim(id, { ...claim, presentedHash: h('tok'), ifFence: 7 }), {
        status: 'owned',
        owner: 'A',
        fence: 1,
      });
      const r = await store.claim(id, { ...claim, presentedHash: h('tok'), ifFence: 1 });
      assert.equal(r.status === 'ok' && r.session.inSeq, 4);
      assert.equal(r.status === 'ok' && r.session.fence, 2);
      const mine = await store.claim(id, { ...ask, presentedHash: h('t2'), newTokenHash: h('t3'), cachedFence: 2 });
      assert.equal(mine.status === 'ok' && mine.frames, null, 'the owner asks nobody');
    });

    it('fences off the old owner after a claim, and a cached claim by the owner reads no frames', async () => {
      const id = await created();
      assert.equal(await store.write(id, 1, [{ op: 'out', seq: 1, frame: 'x' }]), 'ok');
      const again = await store.claim(id, {
        node: 'A',
        presentedHash: h('tok'),
        newTokenHash: h('t2'),
        ack: 0,
        score: 1,
        cachedFence: 1,
      });
      assert.equal(again.status === 'ok' && again.frames, null);
      const taken = await store.claim(id, {
        node: 'B',
        presentedHash: h('t2'),
        newTokenHash: h('t3'),
        ack: 0,
        score: 1,
        cachedFence: 0,
      });
      assert.equal(taken.status, 'ok');
      assert.equal(await store.write(id, 2, [{ op: 'out', seq: 2, frame: 'late' }]), 'fenced');
      assert.equal(await store.write(id, 3, [{ op: 'out', seq: 2, frame: 'y' }]), 'ok');
      assert.deepEqual(
        (await store.frames(id, 0)).map((f) => f.frame),
        ['x', 'y'],
      );
    });

    it('takes a repeated frame once (a retried write); a gap means the store lost writes: gone', async () => {
      const id = await created();
      assert.equal(await store.write(id, 1, [{ op: 'out', seq: 1, frame: 'a' }]), 'ok');
      assert.equal(await store.write(id, 1, [{ op: 'out', seq: 1, frame: 'a' }]), 'ok');
      assert.equal(await store.write(id, 1, [{ op: 'out', seq: 5, frame: 'e' }]), 'gone');
      assert.deepEqual(
        (await store.frames(id, 0)).map((f) => f.seq),
        [1],
      );
    });

    it('answers replay-gap (and forgets the session) for a client behind what is kept', async () => {
      const id = await created();
      await store.write(id, 1, [
        { op: 'out', seq: 1, frame: 'a' },
        { op: 'out', seq: 2, frame: 'b' },
        { op: 'ack', seq: 1 },
      ]);
      const base = { node: 'B', presentedHash: h('tok'), newTokenHash: h('t2'), score: 1, cachedFence: 0 };
      assert.equal((await store.claim(id, { ...base, ack: 0 })).status, 'replay-gap');
      assert.equal(await store.get(id), null);
      const id2 = await created();
      assert.equal((await store.claim(id2, { ...base, ack: 3 })).status, 'replay-gap');
    });

    it('keeps the presented token valid until confirmed, then only the new one', async () => {
      const id = await created('t1');
      const claim = (presented: string, next: string) =>
        store.claim(id, {
          node: 'A',
          presentedHash: h(presented),
          newTokenHash: h(next),
          ack: 0,
          score: 1,
          cachedFence: 0,
        });
      assert.equal((await claim('t1', 't2')).status, 'ok');
      const r = await claim('t1', 't3');
      assert.equal(r.status, 'ok');
      assert.equal(await store.write(id, r.status === 'ok' ? r.session.fence : 0, [{ op: 'confirm' }]), 'ok');
      assert.equal((await claim('t1', 't4')).status, 'token');
      assert.equal((await claim('t3', 't4')).status, 'ok');
    });

    it('expires a session once however many sweepers race, only past its score, then says expired', async () => {
      const id = await created();
      await store.write(id, 1, [{ op: 'score', score: 10_000, detachedAt: 10_000 }]);
      assert.equal(await store.expire(id, 9_999), null);
      assert.ok((await store.expirable(10_000, 1000)).includes(id));
      await store.lease([id], 50_000);
      assert.ok(!(await store.expirable(10_000, 1000)).includes(id));
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => store.expire(id, 60_000)));
      assert.deepEqual(
        results.filter((r) => r !== null),
        [{ id, owner: 'A' }],
      );
      const claim = { node: 'B', presentedHash: h('tok'), newTokenHash: h('t2'), ack: 0, score: 1, cachedFence: 0 };
      assert.deepEqual(await store.claim(id, claim), { status: 'expired' });
      assert.equal(await store.write(id, 1, [{ op: 'in', seq: 1 }]), 'gone');
    });

    it('ends a session for good with a fenced end', async () => {
      const id = await created();
      assert.equal(await store.write(id, 1, [{ op: 'end' }]), 'ok');
      assert.equal(await store.get(id), null);
    });

    it('queues data from other nodes in an inbox that the owner empties as it sends', async () => {
      const id = await created();
      assert.equal(await store.enqueue(id, '"one"'), 'A');
      assert.equal(await store.enqueue(id, '"two"'), 'A');
      assert.equal(await store.enqueue('nope', '"x"'), null);
      const entries = await store.inbox(id, null, 10);
      assert.deepEqual(
        entries.map((e) => e.data),
        ['"one"', '"two"'],
      );
      await store.write(id, 1, [{ op: 'out', seq: 1, frame: 'f1', inbox: entries[0]!.entryId }]);
      assert.deepEqual(
        (await store.inbox(id, null, 10)).map((e) => e.data),
        ['"two"'],
      );
      assert.deepEqual(await store.inbox(id, entries[1]!.entryId, 10), []);
    });

    it('passes messages between nodes', async () => {
      const got: NodeMessage[] = [];
      const off = await store.subscribe('node-x', (m) => got.push(m));
      assert.equal(await store.publish('node-y', { t: 'taken', sid: 'abc' }), 0, 'nobody listens for node-y');
      assert.equal(await store.publish('node-x', { t: 'taken', sid: 'abc' }), 1);
      const deadline = Date.now() + 2000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, [{ t: 'taken', sid: 'abc' }]);
      await off();
    });
  });
}

contract('memory', async () => ({ store: new MemoryStore(), done: async () => {} }));

if (haveRedis) {
  let redis: TestRedis;
  contract('redis', async () => {
    redis = await TestRedis.start();
    const store = new RedisStore(redis.url);
    return {
      store,
      done: async () => {
        await store.close();
        await redis.stop();
      },
    };
  });

  // Every script must keep to one slot: Redis Cluster refuses a script whose keys hash to several (CROSSSLOT).
  let cluster: TestRedisCluster;
  contract('Redis Cluster, three masters', async () => {
    assert.ok(haveRedisCluster, `no redis-cli at ${REDIS_CLI} (Debian: it comes with redis-server)`);
    cluster = await TestRedisCluster.start();
    const store = new RedisStore(cluster.url, { cluster: true });
    return {
      store,
      done: async () => {
        await store.close();
        await cluster.stop();
      },
    };
  });

  describe('RedisStore', () => {
    it('never stores a token in clear', async () => {
      const r = await TestRedis.start();
      const store = new RedisStore(r.url);
      try {
        const id = sid();
        const token = 'very-secret-token-value-0123456789';
        const next = 'another-secret-token-abcdefghijkl';
        await store.create({ id, tokenHash: hashToken(token), owner: 'A', createdAt: 1, address: 'a', score: 1 });
        await store.claim(id, {
          node: 'B',
          presentedHash: hashToken(token),
          newTokenHash: hashToken(next),
          ack: 0,
          score: 1,
          cachedFence: 0,
        });
        const redis = await store.client();
        const keys = await redis.keys('*');
        let dump = keys.join(' ');
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
          if (type === 'zset') dump += JSON.stringify(await redis.zrange(key, 0, -1));
        }
        assert.ok(dump.includes(hashToken(next)), 'the hash is there');
        assert.ok(!dump.includes(token) && !dump.includes(next), 'no token in clear');
      } finally {
        await store.close();
        await r.stop();
      }
    });
  });
} else {
  it('redis-server is installed (the Redis store tests need it)', () => {
    assert.fail(`no redis-server at ${REDIS_SERVER} (Debian: apt-get install redis-server; or set REDIS_SERVER)`);
  });
}
