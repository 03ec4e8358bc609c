// `npm run soak`: the real client and server on loopback, sockets killed at random while messages flow
// both ways; counts what arrived, lost, duplicated or out of order. Bounded in count and time.
import { WebSocket } from 'ws';
import { headlessEnvironment } from '../dist/client/environment.js';
import { SessionClient } from '../dist/client/session-client.js';
import { NO_ATTRIBUTES, parseConfig } from '../dist/config.js';
import { createSessionServer } from '../dist/server/index.js';

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function check(received, n) {
  const seen = new Set();
  let dup = 0;
  let disorder = 0;
  let last = -1;
  for (const v of received) {
    if (seen.has(v)) dup++;
    seen.add(v);
    if (v < last) disorder++;
    last = v;
  }
  return { lost: n - seen.size, dup, disorder };
}

async function run(seed, n) {
  const random = mulberry32(seed);
  const server = createSessionServer({ port: 0, host: '127.0.0.1', ackDelayMs: 2 });
  await server.ready;
  const url = `ws://127.0.0.1:${server.port}/`;
  const toServer = [];
  const toClient = [];
  let session;
  server.on('session', (s) => {
    session = s;
    s.on('message', (d) => toServer.push(d));
  });
  const { config } = parseConfig(
    {
      ...NO_ATTRIBUTES,
      url,
      protocol: 'session',
      delays: '5',
      jitter: '0',
      maxAttempts: '100000',
      maxQueue: String(n + 1),
    },
    url,
  );
  let opened;
  const open = new Promise((r) => (opened = r));
  let sessions = 0;
  const client = new SessionClient(
    config,
    {
      status: (d) => d.status === 'open' && opened(),
      message: (d) => toClient.push(d.data),
      error() {},
      session: (d) => (sessions += d.resumed ? 0 : 1),
      recovered() {},
      sessionId() {},
    },
    headlessEnvironment(WebSocket),
  );
  client.connect();
  await open;
  let drops = 0;
  const start = Date.now();
  for (let i = 0; i < n; i++) {
    client.send(i);
    session.send(i);
    if (random() < 0.01) {
      for (const ws of server.wss.clients) ws.terminate();
      drops++;
    }
    if (random() < 0.05) await new Promise((r) => setTimeout(r, random() * 5));
  }
  const deadline = Date.now() + 30_000;
  while ((toServer.length < n || toClient.length < n || client.queued > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = Date.now() - start;
  client.dispose();
  await server.close();
  const up = check(toServer, n);
  const down = check(toClient, n);
  return {
    seed,
    'msgs each way': n,
    'sockets killed': drops,
    sessions,
    'lost ↑': up.lost,
    'dup ↑': up.dup,
    'disorder ↑': up.disorder,
    'lost ↓': down.lost,
    'dup ↓': down.dup,
    'disorder ↓': down.disorder,
    ms,
  };
}

const rows = [];
for (const seed of [11, 12, 13, 14, 15]) rows.push(await run(seed, 5000));
console.table(rows);
const bad = rows.some(
  (r) =>
    r['lost ↑'] + r['dup ↑'] + r['disorder ↑'] + r['lost ↓'] + r['dup ↓'] + r['disorder ↓'] > 0 || r.sessions !== 1,
);
console.log(bad ? 'FAILED: loss, duplication or disorder seen' : 'exactly once, in order, one session, in every run');
process.exit(bad ? 1 : 0);
