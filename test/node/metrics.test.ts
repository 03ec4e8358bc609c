import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createMetrics, type SessionServerMetrics } from '../../src/server/metrics.js';
import { RedisStore } from '../../src/server/store/redis-store.js';
import type { SessionServerOptions } from '../../src/server/index.js';
import { RawClient, runNode, startServer, until } from './support.js';
import { haveRedis, TestRedis } from './redis-support.js';
import { moved, parseScrape, series } from './metrics-support.js';

const GOOD = 'http://good.example';

function refusedUpgrade(url: string, origin: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { origin } });
    ws.on('unexpected-response', (_req, res) => {
      assert.equal(res.statusCode, 403);
      ws.terminate();
      resolve();
    });
    ws.on('error', () => {});
  });
}

/**
 * One session resumed 3 times with 2 unacknowledged messages each time, one unknown and one wrong-token hello,
 * 2 origin refusals, 1 expiry, then a drain that sends the 3 attached sockets away.
 */
async function scenario(
  options: SessionServerOptions,
  withStore: (metrics: SessionServerMetrics) => SessionServerOptions,
) {
  const metrics = await createMetrics();
  const { server, url } = await startServer({
    allowedOrigins: [GOOD],
    unusedSessionLifetimeMs: 0,
    checkUnusedSessionsMs: 3_600_000,
    ...options,
    ...withStore(metrics),
  });
  metrics.observe(server);
  const clients: RawClient[] = [];
  const secrets: string[] = ['127.0.0.1', 'evil.example', 'good.example', 'no-such-session'];
  const client = () => {
    const c = new RawClient(url, { origin: GOOD });
    clients.push(c);
    return c;
  };
  try {
    const start = parseScrape(await metrics.metrics());
    let c = client();
    const first = await c.hello();
    const sent = [JSON.stringify({ t: 'msg', seq: 1, d: 'one' }), JSON.stringify({ t: 'msg', seq: 2, d: { two: 2 } })];
    for (const frame of sent) c.send(frame);
    await until(() => server.getSession(first.sid)?.inSeq === 2, 'two messages in');
    const session = server.getSession(first.sid)!;
    session.send('a');
    session.send({ b: 'bb' });
    await c.next('msg');
    await c.next('msg');
    secrets.push(first.sid, first.token);
    const outBytes = c.raw.filter((r) => r.includes('"t":"msg"')).reduce((n, r) => n + Buffer.byteLength(r), 0);
    let token = first.token;
    for (let i = 0; i < 3; i++) {
      c.close();
      await until(() => !server.getSession(first.sid)?.connected, 'detached');
      c = client();
      const again = await c.hello({ sid: first.sid, token, ack: 0 });
      assert.equal(again.resumed, true);
      token = again.token;
      secrets.push(token);
    }
    assert.equal((await client().hello({ sid: 'no-such-session', token: 'x' })).reason, 'unknown');
    assert.equal((await client().hello({ sid: first.sid, token: 'wrong' })).reason, 'token');
    await refusedUpgrade(url, 'http://evil.example');
    await refusedUpgrade(url, 'http://evil.example');
    const b = client();
    const doomed = await b.hello();
    b.close();
    await until(() => !server.getSession(doomed.sid)?.connected, 'doomed detached');
    assert.deepEqual(await server.sweepStore(), [doomed.sid]);
    const beforeDrain = parseScrape(await metrics.metrics());
    server.drain({ afterMs: 0, spreadMs: 0 });
    await Promise.all(clients.slice(-4, -1).map((x) => x.closed));
    await until(() => server.connectionCount === 0, 'sockets gone');
    const end = parseScrape(await metrics.metrics());
    return { start, beforeDrain, end, delta: moved(start, end), sent, outBytes, secrets };
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}

function assertScenario(result: Awaited<ReturnType<typeof scenario>>): void {
  const { delta, beforeDrain, end, sent, outBytes } = result;
  const d = (name: string, labels?: Record<string, string>) => delta.get(series(name, labels));
  assert.equal(d('hellos_total', { outcome: 'new', reason: 'none' }), 2);
  assert.equal(d('hellos_total', { outcome: 'resumed', reason: 'none' }), 3);
  assert.equal(d('hellos_total', { outcome: 'new', reason: 'unknown' }), 1);
  assert.equal(d('hellos_total', { outcome: 'new', reason: 'token' }), 1);
  assert.equal(d('resume_outage_seconds_count'), 3);
  assert.equal(d('replayed_messages_total'), 6, '2 unacknowledged messages, 3 times');
  assert.equal(d('refusals_total', { reason: 'origin' }), 2);
  assert.equal(d('refusals_total', { reason: 'sessions' }), 0);
  assert.equal(d('expiries_total'), 1);
  assert.equal(d('errors_total'), 0);
  assert.equal(d('messages_total', { direction: 'in' }), 2);
  assert.equal(d('messages_total', { direction: 'out' }), 2);
  assert.equal(
    d('message_bytes_total', { direction: 'in' }),
    sent.reduce((n, f) => n + Buffer.byteLength(f), 0),
  );
  assert.equal(d('message_bytes_total', { direction: 'out' }), outBytes);
  // 3 resumed sockets and the doomed one cut by the client; the 3 still open sent away by the drain.
  assert.equal(d('closes_total', { code: '1006', side: 'client' }), 4);
  assert.equal(d('closes_total', { code: '1012', side: 'server' }), 3);
  assert.equal(beforeDrain.get(series('sessions')), 3);
  assert.equal(beforeDrain.get(series('sessions_attached')), 3);
  assert.equal(beforeDrain.get(series('connections')), 3);
  assert.equal(beforeDrain.get(series('draining')), 0);
  assert.ok(beforeDrain.get(series('replay_bytes'))! > 0, 'the resumed session holds its unacknowledged replies');
  assert.equal(end.get(series('draining')), 1);
  assert.equal(end.get(series('sessions_attached')), 0);
  assert.equal(end.get(series('replay_bytes_limit')), 1_000_000);
  assert.equal(end.get(series('replay_budget_ratio')), end.get(series('replay_bytes'))! / 1_000_000);
}

/** Label sets stay bounded: no session ID, token, address or origin ever becomes a label. */
function assertNothingPersonal({ end, secrets }: Awaited<ReturnType<typeof scenario>>): void {
  for (const key of end.keys()) {
    for (const secret of secrets) assert.ok(!key.includes(secret), `${key} holds ${secret}`);
    assert.match(key, /^reconnecting_session_[a-z_]+(\{[a-z_]+="[a-zA-Z0-9.+-]+"(,[a-z_]+="[a-zA-Z0-9.+-]+")*\})?$/);
  }
}

describe('metrics', () => {
  it('move by exactly what happened, with the memory store', async () => {
    const result = await scenario({ maxTotalReplayBytes: 1_000_000 }, () => ({}));
    assertScenario(result);
    assert.ok(![...result.end.keys()].some((k) => k.includes('store_')), 'no store metrics without a store');
    assertNothingPersonal(result);
  });

  it('count one replay budget drain when the budget has room again after refusing', async () => {
    const metrics = await createMetrics();
    const { server, url } = await startServer({ maxTotalReplayBytes: 400 });
    metrics.observe(server);
    const c = new RawClient(url);
    try {
      const welcome = await c.hello();
      const session = server.getSession(welcome.sid)!;
      let sent = 0;
      while (session.trySend('x'.repeat(50)) !== null) sent++;
      assert.ok(sent > 0);
      for (let i = 0; i < sent; i++) await c.next('msg');
      const drained = new Promise<void>((resolve) => server.once('drain', () => resolve()));
      c.send({ t: 'ack', seq: sent });
      await drained;
      const scrape = parseScrape(await metrics.metrics());
      assert.equal(scrape.get(series('replay_budget_drains_total')), 1);
    } finally {
      c.close();
      await server.close();
    }
  });

  it('count auth refusals and resumes by another user, never the credential', async () => {
    const metrics = await createMetrics();
    const { server, url } = await startServer({
      authenticate: (_req, credential) => (credential?.startsWith('user:') ? { user: credential.slice(5) } : null),
    });
    metrics.observe(server);
    const clients = [new RawClient(url), new RawClient(url), new RawClient(url)];
    try {
      const ann = await clients[0]!.hello({ auth: 'user:ann-31' } as object);
      await clients[1]!.opened();
      clients[1]!.send({ t: 'hello', v: 1, ack: 0, auth: 'SECRET-CREDENTIAL' });
      assert.equal((await clients[1]!.closed).code, 4401);
      const bob = await clients[2]!.hello({ sid: ann.sid, token: ann.token, auth: 'user:bob-62' } as object);
      assert.equal(bob.reason, 'user');
      const text = await metrics.metrics();
      const scrape = parseScrape(text);
      assert.equal(scrape.get(series('refusals_total', { reason: 'auth' })), 1);
      assert.equal(scrape.get(series('hellos_total', { outcome: 'new', reason: 'user' })), 1);
      for (const secret of ['SECRET-CREDENTIAL', 'ann-31', 'bob-62', ann.sid, ann.token])
        assert.ok(!text.includes(secret));
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });

  it('keep two servers in one process apart (a registry each)', async () => {
    const [m1, m2] = [await createMetrics(), await createMetrics()];
    const [s1, s2] = [await startServer(), await startServer()];
    m1.observe(s1.server);
    m2.observe(s2.server);
    const c = new RawClient(s1.url);
    try {
      await c.hello();
      assert.equal(parseScrape(await m1.metrics()).get(series('hellos_total', { outcome: 'new', reason: 'none' })), 1);
      assert.equal(parseScrape(await m2.metrics()).get(series('hellos_total', { outcome: 'new', reason: 'none' })), 0);
      assert.throws(() => m1.observe(s2.server), /already observing/);
    } finally {
      c.close();
      await Promise.all([s1.server.close(), s2.server.close()]);
    }
  });
});

describe('metrics with Redis', () => {
  let redis: TestRedis | undefined;
  before(async () => {
    if (haveRedis) redis = await TestRedis.start();
  });
  after(() => redis?.stop());

  it('has redis-server', () => assert.ok(haveRedis, 'no redis-server (apt-get install redis-server)'));

  it('move by exactly what happened, and time the store', async () => {
    const store = new RedisStore(redis!.url);
    try {
      const result = await scenario({ maxTotalReplayBytes: 1_000_000 }, (metrics) => ({
        store: metrics.instrumentStore(store),
      }));
      assertScenario(result);
      assertNothingPersonal(result);
      const d = (name: string, labels?: Record<string, string>) => result.delta.get(series(name, labels));
      assert.equal(d('store_claims_total', { result: 'ok' }), 3);
      assert.equal(d('store_claims_total', { result: 'unknown' }), 1);
      assert.equal(d('store_claims_total', { result: 'token' }), 1);
      assert.equal(d('store_takeovers_total'), 0);
      assert.equal(d('store_errors_total', { op: 'write' }), 0);
      assert.equal(d('store_errors_total', { op: 'claim' }), 0);
      assert.equal(d('store_call_duration_seconds_count', { op: 'claim' }), 5);
      assert.equal(d('store_call_duration_seconds_count', { op: 'create' }), 4);
      assert.ok(d('store_call_duration_seconds_count', { op: 'write' })! > 0);
    } finally {
      await store.close();
    }
  });
});

// A child process so the module graph is this script's alone; the package imports itself by name, from dist.
const lazyScript = `
import { createRequire } from 'node:module';
import { createSessionServer, createMetrics } from 'reconnecting-session/server';
const loaded = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/prom-client/')).length;
const server = createSessionServer({ port: 0, host: '127.0.0.1' });
await server.ready;
console.log('without metrics', loaded());
(await createMetrics()).observe(server);
console.log('with metrics', loaded());
await server.close();
`;

describe('prom-client', () => {
  it('is not loaded by a server without metrics, and is loaded by createMetrics()', async () => {
    const child = runNode(['--input-type=module', '-e', lazyScript]);
    assert.equal(await child.exited, 0, child.errors());
    assert.match(child.output(), /^without metrics 0\nwith metrics [1-9]\d*\n$/);
  });
});
