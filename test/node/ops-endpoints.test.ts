import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createMetrics } from '../../src/server/metrics.js';
import { opsHandler } from '../../src/server/ops-endpoints.js';
import { Readiness } from '../../src/server/readiness.js';
import { RedisStore } from '../../src/server/store/redis-store.js';
import type { SessionServer } from '../../src/server/index.js';
import { RawClient, startServer } from './support.js';
import { haveRedis, TestRedis } from './redis-support.js';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A server answering the operations paths on its own port, as the CLI does. */
async function opsServer(options: { store?: RedisStore; metrics?: boolean } = {}) {
  const metrics = options.metrics === false ? undefined : await createMetrics();
  let readiness: Readiness | undefined = undefined;
  const ops = opsHandler({ ready: () => readiness!.check(), ...(metrics ? { metrics } : {}) });
  const { server, url } = await startServer({
    allowedOrigins: ['http://good.example'],
    ...(options.store ? { store: options.store } : {}),
    requestListener: (req, res) => {
      if (!ops(req, res)) res.writeHead(426).end();
    },
  });
  readiness = new Readiness(server, options.store);
  metrics?.observe(server);
  return { server, url, metrics, port: server.port };
}

async function readyWithin(port: number, status: number, what: string): Promise<Answer> {
  let last: Answer | undefined;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    last = await get(port, '/readyz');
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: /readyz still ${last?.status} ${last?.body}`);
}

describe('/healthz, /readyz and /metrics', () => {
  let s: Awaited<ReturnType<typeof opsServer>>;
  before(async () => (s = await opsServer()));
  after(() => s.server.close());

  it('answer without an Origin check, and say nothing about sessions', async () => {
    const c = new RawClient(s.url, { origin: 'http://good.example' });
    await c.hello();
    const evil = { origin: 'http://evil.example' };
    assert.deepEqual(
      [(await get(s.port, '/healthz', 'GET', evil)).body, (await get(s.port, '/readyz', 'GET', evil)).body],
      ['ok\n', 'ready\n'],
    );
    const scrape = await get(s.port, '/metrics', 'GET', evil);
    assert.equal(scrape.status, 200);
    assert.match(String(scrape.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const welcome = s.server.sessions.next().value!;
    assert.ok(!scrape.body.includes(welcome.id) && !scrape.body.includes(welcome.token));
    assert.ok(!scrape.body.includes('127.0.0.1'));
    c.close();
  });

  it('turn /readyz to 503 while the server drains, and back after', async () => {
    s.server.drain({ afterMs: 0, spreadMs: 0 });
    const draining = await get(s.port, '/readyz');
    assert.deepEqual([draining.status, draining.body], [503, 'not ready: draining\n']);
    assert.equal((await get(s.port, '/healthz')).status, 200, 'alive while draining');
    s.server.endDrain();
    assert.equal((await get(s.port, '/readyz')).status, 200);
  });

  it('ignore hostile requests: odd methods, long paths, floods change nothing', async () => {
    const before = (await get(s.port, '/metrics')).body;
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE']) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const answer = await get(s.port, path, method);
        assert.equal(answer.status, 405, `${method} ${path}`);
        assert.equal(answer.headers.allow, 'GET, HEAD');
      }
    }
    const head = await get(s.port, '/metrics', 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
    assert.equal((await get(s.port, `/metrics/${'a'.repeat(8000)}`)).status, 426, 'not ours: the site answers');
    assert.equal((await get(s.port, `/healthz?${'x'.repeat(8000)}`)).status, 200);
    assert.equal((await get(s.port, '/HEALTHZ')).status, 426);
    // A path too long for Node's header limit is refused by Node itself, and the server goes on.
    const huge = await new Promise<string>((resolve) => {
      const socket = connect(s.port, '127.0.0.1', () =>
        socket.write(`GET /metrics${'a'.repeat(20_000)} HTTP/1.1\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    assert.match(huge, /^HTTP\/1\.1 431/);
    // Rounds below the per-address connection bound (256), which would otherwise cut the flood short.
    for (let round = 0; round < 3; round++) {
      const flood = await Promise.all(
        Array.from({ length: 200 }, (_, i) => get(s.port, ['/metrics', '/readyz', '/healthz'][i % 3]!)),
      );
      assert.ok(flood.every((a) => a.status === 200));
    }
    assert.equal((await get(s.port, '/metrics')).body, before, 'every figure as it was');
  });
});

describe('/readyz with Redis', () => {
  let redis: TestRedis | undefined;
  before(async () => {
    if (haveRedis) redis = await TestRedis.start();
  });
  after(() => redis?.stop());

  it('has redis-server', () => assert.ok(haveRedis, 'no redis-server (apt-get install redis-server)'));

  it('is 503 while Redis is down and 200 again once it is back', async () => {
    const store = new RedisStore(redis!.url);
    let server: SessionServer | undefined;
    try {
      const s = await opsServer({ store, metrics: false });
      server = s.server;
      assert.equal((await readyWithin(s.port, 200, 'ready with Redis')).body, 'ready\n');
      await redis!.kill();
      assert.equal(
        (await readyWithin(s.port, 503, 'not ready without Redis')).body,
        'not ready: session store unreachable\n',
      );
      assert.equal((await get(s.port, '/healthz')).status, 200, 'the process still serves');
      await redis!.restart();
      assert.equal((await readyWithin(s.port, 200, 'ready when Redis is back')).body, 'ready\n');
    } finally {
      await server?.close();
      await store.close();
    }
  });
});
