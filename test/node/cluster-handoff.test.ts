import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/server/index.js';
import { RedisStore } from '../../src/server/store/redis-store.js';
import type { SessionStore } from '../../src/server/store/session-store.js';
import { startServer, until } from './support.js';
import { haveRedis, TestRedis } from './redis-support.js';
import { TestRedisCluster } from './redis-cluster-support.js';
import { sessionClient, TestBalancer } from './cluster-support.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node's view of Redis whose writes take a few ms longer, as under load: a claim elsewhere can overtake them. */
function slowWrites(store: RedisStore): SessionStore {
  return new Proxy(store, {
    get(target, name) {
      if (name === 'write')
        return async (...args: Parameters<RedisStore['write']>) => (await pause(8), target.write(...args));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

for (const backend of ['Redis', 'Redis Cluster'] as const)
  describe(`a live client moved between live nodes (${backend})`, { skip: !haveRedis }, () => {
    let redis: TestRedis | TestRedisCluster;
    const cluster = backend === 'Redis Cluster';
    before(async () => {
      redis = cluster ? await TestRedisCluster.start() : await TestRedis.start();
    });
    after(() => redis.stop());

    for (const count of [2, 3]) {
      it(`${count} nodes, moved back and forth mid-stream: every message handled exactly once, both ways`, async () => {
        const names = ['A', 'B', 'C'].slice(0, count).map((n) => `${n}h${count}`);
        const stores = names.map(() => new RedisStore(redis.url, { cluster }));
        const nodes = await Promise.all(
          names.map((nodeId, i) => startServer({ store: slowWrites(stores[i]!), nodeId, ackDelayMs: 2 })),
        );
        const balancer = new TestBalancer(nodes.map((n) => n.server.port));
        const url = `ws://127.0.0.1:${await balancer.listen()}/`;
        // What the application saw: each client message as its handler ran, on whichever node.
        const handled: { node: number; data: unknown; seq: number }[] = [];
        const first: Session[] = [];
        const resumes = nodes.map(() => 0);
        nodes.forEach((node, i) => {
          node.server.on('session', (s) => {
            first.push(s);
            s.on('message', (data, { seq }) => {
              handled.push({ node: i, data, seq });
              s.send({ echo: data as number });
            });
          });
          node.server.on('resume', () => resumes[i]!++);
        });
        // No reconnect delay: the resume reaches the next node while the last one still handles what it read.
        const c = sessionClient(url, '0');
        try {
          await until(() => c.client.status === 'open' && first.length === 1, 'open on the first node');
          const origin = first[0]!;
          const N = 400;
          const path = count === 2 ? [1, 0] : [1, 2, 1, 0, 2, 0];
          let moves = 0;
          // Server → client through the object the first node handed out: after a move it forwards to the owner.
          const both = (i: number) => {
            c.client.send(i);
            origin.send({ push: i });
          };
          for (let i = 0; i < N; i++) {
            both(i);
            if (i % 20 === 10) {
              // A burst the current node is still handling (and storing) when the socket is cut and the next one claims.
              for (let k = 0; k < 5 && i + 1 < N; k++) both(++i);
              await new Promise((r) => setImmediate(r));
              const target = path[moves++ % path.length]!;
              const before = resumes[target]!;
              balancer.moveTo(target);
              for (let k = 0; k < 5 && i + 1 < N; k++) both(++i);
              await until(() => resumes[target]! > before, `resumed on ${names[target]} (move ${moves})`, 10_000);
            }
            if (i % 7 === 0) await pause(1);
          }
          const echoes = () => c.received.filter((m) => (m as { echo?: number }).echo !== undefined);
          const pushes = () => c.received.filter((m) => (m as { push?: number }).push !== undefined);
          await until(
            () => handled.length >= N && echoes().length >= N && pushes().length >= N,
            `all messages (${handled.length} handled, ${echoes().length} echoes, ${pushes().length} pushes)`,
            20_000,
          );
          await pause(200);
          const repeats = handled.length - new Set(handled.map((h) => h.seq)).size;
          console.log(
            `# ${backend}, ${count} nodes, ${moves} moves: ${repeats} client messages handled more than once`,
          );
          assert.equal(repeats, 0, 'no client message handled twice');
          assert.deepEqual(
            handled.map((h) => h.data),
            range(N),
            'client → server: each handled once, in order',
          );
          assert.deepEqual(
            handled.map((h) => h.seq),
            range(N).map((i) => i + 1),
          );
          assert.deepEqual(
            echoes(),
            range(N).map((i) => ({ echo: i })),
            'server → client replies: once, in order',
          );
          assert.deepEqual(
            pushes(),
            range(N).map((i) => ({ push: i })),
            'server → client pushes: once, in order',
          );
          assert.equal(c.news(), 1, 'one session throughout');
          assert.ok(moves >= 18, `moved ${moves} times`);
          for (let i = 0; i < count; i++)
            assert.ok(new Set(handled.map((h) => h.node)).has(i), `node ${names[i]} handled messages`);
        } finally {
          c.client.dispose();
          await balancer.close();
          for (const n of nodes) await n.server.close();
          for (const s of stores) await s.close();
        }
      });
    }
  });
