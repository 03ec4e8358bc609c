// `npm run bench:store`: the memory store (no store) and the Redis store side by side, in one run, on loopback:
// messages/s each way, resume latency (on the owner, and moving between two live nodes), Redis round trips per
// message and per ack batch, and clients through a node kill. Starts its own redis-server (--save '' --appendonly no)
// on a free port and stops it after.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { SessionClient } from '../dist/client/session-client.js';
import { headlessEnvironment } from '../dist/client/environment.js';
import { freePort, startPrivateRedis } from '../scripts/private-redis.mjs';
import { NO_ATTRIBUTES, parseConfig } from '../dist/config.js';
import { createSessionServer } from '../dist/server/index.js';

const N = Number(process.env.N ?? 5000);
// Every client here comes from 127.0.0.1: the node kill raises the CLI's per-address limits (256) for them.
const CLIENTS = Number(process.env.CLIENTS ?? 500);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, what, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await wait(5);
  }
}

function raw(url) {
  const ws = new WebSocket(url);
  const frames = [];
  let wake = () => {};
  ws.on('message', (d) => {
    frames.push(JSON.parse(d.toString()));
    wake();
  });
  const next = async (t) => {
    for (;;) {
      const i = frames.findIndex((f) => f.t === t);
      if (i >= 0) return frames.splice(i, 1)[0];
      await new Promise((r) => (wake = r));
    }
  };
  return { ws, frames, next, opened: new Promise((r) => ws.once('open', r)) };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function evalCalls(redis) {
  if (!redis) return 0;
  const info = await redis.info('commandstats');
  // Every store step is one script call (a lease renewal every leaseMs/3 is a pipeline, not counted).
  return [...info.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
}

async function measure(name, options, redis) {
  const big = { maxReplayMessages: N * 2, maxReplayBytes: 2 ** 30, maxTotalReplayBytes: 2 ** 32 };
  const server = createSessionServer({ port: 0, host: '127.0.0.1', ackDelayMs: 5, ...big, ...options });
  server.on('error', () => {});
  await server.ready;
  const url = `ws://127.0.0.1:${server.port}/`;
  let session;
  let inbound = 0;
  server.on('session', (s) => {
    session = s;
    s.on('message', () => inbound++);
  });

  // server → client: N messages, the client acknowledging every 64 as the browser client does.
  const c = raw(url);
  await c.opened;
  c.ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
  const welcome = await c.next('welcome');
  let got = 0;
  c.ws.on('message', (d) => {
    const f = JSON.parse(d.toString());
    if (f.t === 'msg') got = f.seq;
  });
  const before = await evalCalls(redis);
  let start = performance.now();
  for (let i = 0; i < N; i++) session.send({ n: i, text: 'hello world, this is a chat message' });
  await until(() => got >= N, 'server → client');
  const outMs = performance.now() - start;
  await session.flushed();
  const outCalls = (await evalCalls(redis)) - before;
  // Acks in batches of 64, as the browser client sends them, one batch at a time.
  const beforeAcks = await evalCalls(redis);
  let acks = 0;
  for (let seq = 64; seq < N + 64; seq += 64) {
    c.ws.send(JSON.stringify({ t: 'ack', seq: Math.min(seq, N) }));
    acks++;
    await wait(1);
    await session.flushed();
  }
  await until(() => session.pending === 0, 'acks');
  const ackCalls = (await evalCalls(redis)) - beforeAcks;

  // client → server: N messages, numbered 1…N.
  const before2 = await evalCalls(redis);
  start = performance.now();
  for (let i = 1; i <= N; i++) c.ws.send(JSON.stringify({ t: 'msg', seq: i, d: { n: i, text: 'hello' } }));
  await until(() => inbound >= N, 'client → server');
  const inMs = performance.now() - start;
  await session.flushed();
  const inCalls = (await evalCalls(redis)) - before2;
  c.ws.terminate();
  await until(() => !session.connected, 'detach');

  // Resume latency: hello → welcome, 200 times, on the node that holds the session.
  let token = welcome.token;
  const latencies = [];
  for (let i = 0; i < 200; i++) {
    const r = raw(url);
    await r.opened;
    const t0 = performance.now();
    r.ws.send(JSON.stringify({ t: 'hello', v: 1, ack: N, sid: welcome.sid, token }));
    const w = await r.next('welcome');
    latencies.push(performance.now() - t0);
    if (!w.resumed) throw new Error(`not resumed: ${w.reason}`);
    token = w.token;
    r.ws.send(JSON.stringify({ t: 'ping' }));
    await r.next('pong');
    r.ws.terminate();
    await until(() => !session.connected, 'detach');
  }
  // A live move: hello → welcome on the other node while the socket on the owner is still open (the owner hands
  // the session over first), 200 times back and forth. Only with a shared store.
  const moves = [];
  if (redis) {
    const other = createSessionServer({ port: 0, host: '127.0.0.1', ackDelayMs: 5, ...big, ...options });
    other.on('error', () => {});
    await other.ready;
    const urls = [`ws://127.0.0.1:${other.port}/`, url];
    let live = raw(url);
    await live.opened;
    live.ws.send(JSON.stringify({ t: 'hello', v: 1, ack: N, sid: welcome.sid, token }));
    token = (await live.next('welcome')).token;
    for (let i = 0; i < 200; i++) {
      const r = raw(urls[i % 2]);
      await r.opened;
      const t0 = performance.now();
      r.ws.send(JSON.stringify({ t: 'hello', v: 1, ack: N, sid: welcome.sid, token }));
      const w = await r.next('welcome');
      moves.push(performance.now() - t0);
      if (!w.resumed) throw new Error(`not resumed after a move: ${w.reason}`);
      token = w.token;
      live.ws.terminate();
      live = r;
    }
    live.ws.terminate();
    await other.close();
  }
  await server.close();
  return {
    store: name,
    'server→client msg/s': Math.round(N / (outMs / 1000)),
    'client→server msg/s': Math.round(N / (inMs / 1000)),
    'resume p50 ms': +percentile(latencies, 50).toFixed(2),
    'resume p99 ms': +percentile(latencies, 99).toFixed(2),
    'move p50/p99 ms': redis ? `${percentile(moves, 50).toFixed(2)} / ${percentile(moves, 99).toFixed(2)}` : '-',
    'Redis calls / msg out': redis ? `${outCalls} for ${N} (${(outCalls / N).toPrecision(2)})` : '-',
    'Redis calls / ack batch': redis ? `${ackCalls} for ${acks} (${(ackCalls / acks).toPrecision(2)})` : '-',
    'Redis calls / msg in': redis ? `${inCalls} for ${N} (${(inCalls / N).toPrecision(2)})` : '-',
  };
}

function cliNode(port, redisUrl) {
  const args = ['dist/server/cli.js', '--port', String(port), '--unused-session-lifetime', '60000'];
  args.push('--max-sessions-per-address', '100000', '--max-connections-per-address', '100000');
  if (redisUrl) args.push('--redis', redisUrl, '--node-id', 'bench');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('listening') && resolve(child)));
}

async function nodeKill(name, redisUrl) {
  const port = await freePort();
  let child = await cliNode(port, redisUrl);
  const url = `ws://127.0.0.1:${port}/`;
  const { config } = parseConfig(
    { ...NO_ATTRIBUTES, url, protocol: 'session', delays: '200,400,800', jitter: '0.5', maxAttempts: '100' },
    url,
  );
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const stats = { news: 0, resumed: 0, received: 0 };
    const client = new SessionClient(
      config,
      {
        status() {},
        message: () => stats.received++,
        error() {},
        session: (d) => (d.resumed ? stats.resumed++ : stats.news++),
        recovered() {},
        sessionId() {},
      },
      headlessEnvironment(WebSocket),
    );
    client.connect();
    clients.push({ client, stats });
  }
  await until(() => clients.every((c) => c.client.status === 'open'), 'all open');
  for (const c of clients) for (let i = 0; i < 5; i++) c.client.send(i);
  await until(() => clients.every((c) => c.stats.received >= 5), 'echoes before the kill');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  child = await cliNode(port, redisUrl);
  for (const c of clients) for (let i = 5; i < 10; i++) c.client.send(i);
  await until(() => clients.every((c) => c.client.status === 'open' && c.client.queued === 0), 'all back', 60_000);
  await wait(500);
  const resumed = clients.filter((c) => c.stats.news === 1 && c.stats.resumed >= 1).length;
  const lost = clients.filter((c) => c.stats.received < 10).length;
  const repeated = clients.filter((c) => c.stats.received > 10).length;
  for (const c of clients) c.client.dispose();
  child.kill('SIGKILL');
  return {
    store: name,
    clients: CLIENTS,
    resumed,
    'new session': CLIENTS - resumed,
    'missing echoes': lost,
    'extra echoes': repeated,
  };
}

const privateRedis = await startPrivateRedis();
if (!privateRedis) {
  console.error('bench:store needs redis-server (Debian: apt-get install redis-server)');
  process.exit(1);
}
const redisUrl = privateRedis.url;
const redis = new Redis(redisUrl);
try {
  console.log(
    `\n${N} messages each way, one session; 200 resumes on the owner, 200 live moves between two nodes (loopback, redis-server without persistence)`,
  );
  console.table([await measure('memory (no store)', {}, null), await measure('redis', { redis: redisUrl }, redis)]);
  console.log(`\n${CLIENTS} clients, each with 5 echoes before and 5 after a kill -9 and restart of the node`);
  console.table([await nodeKill('memory (no store)', null), await nodeKill('redis', redisUrl)]);
} finally {
  redis.disconnect();
  privateRedis.stop();
}
