import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from './support.js';
import { freePort } from './redis-support.js';
import { NodeProcess } from './cluster-support.js';
import { haveRedisCluster, TestRedisCluster } from './redis-cluster-support.js';

describe('reconnecting-session-server --redis-cluster', () => {
  let cluster: TestRedisCluster | undefined;
  before(async () => {
    if (haveRedisCluster) cluster = await TestRedisCluster.start();
  });
  after(() => cluster?.stop());

  it('has redis-server and redis-cli', () =>
    assert.ok(haveRedisCluster, 'no redis-server/redis-cli (apt-get install redis-server)'));

  it('two CLI nodes on a Redis Cluster: a session made on one resumes on the other, its data with it', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = new NodeProcess(pa, cluster!.url, 'CA', ['--redis-cluster']);
    const b = new NodeProcess(pb, cluster!.url, 'CB', ['--redis-cluster']);
    await Promise.all([a.start(), b.start()]);
    const first = new RawClient(`ws://127.0.0.1:${pa}/`);
    const second = new RawClient(`ws://127.0.0.1:${pb}/`);
    try {
      assert.match(a.output, /node CA, sessions in Redis Cluster/);
      const welcome = await first.hello();
      first.send({ t: 'msg', seq: 1, d: 'hi' });
      const echo = await first.next('msg');
      assert.deepEqual(echo.d, { echo: 'hi' });
      // Not acknowledged: the echo must come back from the cluster on the other node.
      const again = await second.hello({ sid: welcome.sid, token: welcome.token, ack: 0 });
      assert.equal(again.resumed, true);
      assert.equal(again.ack, 1, 'the message node A handled is not handled again');
      assert.deepEqual((await second.next('msg')).d, { echo: 'hi' });
      assert.equal((await first.closed).code, 4001);
    } finally {
      first.close();
      second.close();
      await Promise.all([a.kill(), b.kill()]);
    }
  });
});
