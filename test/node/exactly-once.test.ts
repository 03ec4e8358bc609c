import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionServerOptions } from '../../src/server/index.js';
import { MemoryStore } from '../../src/server/store/memory-store.js';
import { startServer, until } from './support.js';
import { sessionClient } from './cluster-support.js';
import { haveRedis, TestRedis } from './redis-support.js';

/** A small seeded generator, so a failing run can be replayed. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function suite(name: string, options: () => SessionServerOptions) {
  describe(`exactly-once, in order, across random connection drops (real client, real server${name})`, () => {
    for (const seed of [1, 2, 3]) {
      it(`seed ${seed}: 400 messages each way survive the drops`, async () => {
        const random = mulberry32(seed);
        const { server, url } = await startServer({ ackDelayMs: 2, ...options() });
        const N = 400;
        const toServer: unknown[] = [];
        let session: import('../../src/server/session.js').Session | undefined;
        server.on('session', (s) => {
          session = s;
          s.on('message', (d) => toServer.push(d));
        });
        const { client, received: toClient, news } = sessionClient(url, '5');
        // A failed assertion must not leave the server (and its store's sweep) running: the test process would never end.
        try {
          await until(() => client.status === 'open' && session !== undefined, 'first open');
          let drops = 0;
          for (let i = 0; i < N; i++) {
            client.send(i);
            session!.send(i);
            if (random() < 0.04) {
              for (const ws of server.wss.clients) ws.terminate();
              drops++;
            }
            if (random() < 0.2) await new Promise((r) => setTimeout(r, random() * 8));
          }
          await until(
            () => toServer.length >= N && toClient.length >= N,
            `all messages (${toServer.length}, ${toClient.length})`,
            15000,
          );
          await until(() => client.queued === 0 && session!.pending === 0, 'all acknowledged', 5000);
          const expected = Array.from({ length: N }, (_, i) => i);
          assert.deepEqual(toServer, expected);
          assert.deepEqual(toClient, expected);
          assert.equal(news(), 1, 'one session throughout');
          assert.ok(drops > 5, `only ${drops} drops`);
        } finally {
          client.dispose();
          await server.close();
        }
      });
    }
  });
}

suite('', () => ({}));
suite(', memory store', () => ({ store: new MemoryStore() }));

describe('with the Redis store', () => {
  let redis: TestRedis | undefined;
  before(async () => {
    if (haveRedis) redis = await TestRedis.start();
  });
  after(() => redis?.stop());
  it('has a redis-server', () => assert.ok(haveRedis, 'no redis-server (apt-get install redis-server)'));
  suite(', Redis store', () => ({ redis: redis!.url }));
});
