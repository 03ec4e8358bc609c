// What authentication costs and whether refreshes lose anything (issue 17's figures), on the built server (dist/):
// 1. resume latency p50/p99 without `authenticate` and with a trivial one, rounds interleaved in one run;
// 2. a long run with expiring credentials refreshed over the live socket, messages every 10 ms both ways:
//    refreshes seen, messages lost and duplicated each way.
// Run: npm run build && node bench/auth.mjs   (RUN_MS=60000 TOKEN_MS=60000 by default; ROUNDS=5)
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { createSessionServer } from '../dist/server/index.js';
import { SessionClient } from '../dist/client/session-client.js';
import { headlessEnvironment } from '../dist/client/environment.js';
import { NO_ATTRIBUTES, parseConfig } from '../dist/config.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RESUMES = 300;
const RUN_MS = Number(process.env.RUN_MS ?? 60_000);
const TOKEN_MS = Number(process.env.TOKEN_MS ?? 60_000);

function hello(port, fields) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0, ...fields })));
    ws.once('message', (d) => resolve({ ws, welcome: JSON.parse(d.toString()) }));
  });
}
const closed = (ws) => new Promise((r) => (ws.readyState === 3 ? r() : ws.once('close', r)));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Milliseconds from opening a socket to the resumed welcome, RESUMES times. */
async function resumes(server) {
  let { ws, welcome } = await hello(server.port, { auth: 'user:ada' });
  const times = [];
  for (let i = 0; i < RESUMES; i++) {
    ws.close();
    await closed(ws);
    const t0 = performance.now();
    ({ ws, welcome } = await hello(server.port, { auth: 'user:ada', sid: welcome.sid, token: welcome.token }));
    if (!welcome.resumed) throw new Error('not resumed');
    times.push(performance.now() - t0);
    ws.send(JSON.stringify({ t: 'ack', seq: 0 }));
  }
  ws.close();
  await closed(ws);
  return times;
}

const trivial = () => ({ user: 'ada' });
const servers = {
  without: createSessionServer({ port: 0, host: '127.0.0.1' }),
  with: createSessionServer({ port: 0, host: '127.0.0.1', authenticate: trivial }),
};
await Promise.all(Object.values(servers).map((s) => s.ready));
const times = { without: [], with: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 ? ['with', 'without'] : ['without', 'with'])
    times[name].push(...(await resumes(servers[name])));
}
await Promise.all(Object.values(servers).map((s) => s.close()));
console.log('\nResume latency, socket open → resumed welcome (ms), %d rounds × %d, interleaved', ROUNDS, RESUMES);
const rows = {};
for (const [name, t] of Object.entries(times)) {
  t.sort((a, b) => a - b);
  rows[`authenticate: ${name}`] = { p50: +pct(t, 50).toFixed(3), p99: +pct(t, 99).toFixed(3), n: t.length };
}
console.table(rows);

// 2. Refreshes under traffic.
let refreshes = 0;
const server = createSessionServer({
  port: 0,
  host: '127.0.0.1',
  authenticate: (_req, credential) => {
    const [user, at] = String(credential).split('@');
    return user === 'ada' ? { user, expiresAt: Number(at) + TOKEN_MS } : null;
  },
});
await server.ready;
const toServer = [];
let toClientSent = 0;
server.on('session', (session) => {
  session.on('message', (d) => toServer.push(d));
  const timer = setInterval(() => {
    if (session.closed) return clearInterval(timer);
    session.trySend(++toClientSent) ?? toClientSent--;
  }, 10);
});
const url = `ws://127.0.0.1:${server.port}/`;
const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session', delays: '100', jitter: '0' }, url);
const toClient = [];
const statuses = [];
const client = new SessionClient(
  config,
  {
    status: (d) => statuses.push(d.status),
    message: (d) => toClient.push(d.data),
    error() {},
    session() {},
    recovered() {},
    sessionId() {},
  },
  headlessEnvironment(WebSocket),
);
let calls = 0;
client.auth = () => (calls++, `ada@${Date.now()}`);
client.connect();
let sent = 0;
const sender = setInterval(() => client.status === 'open' && client.send(++sent), 10);
await new Promise((r) => setTimeout(r, RUN_MS));
clearInterval(sender);
await new Promise((r) => setTimeout(r, 500));
refreshes = calls - 1;
const count = (values, n) => {
  const seen = new Map();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  let lost = 0;
  let dup = 0;
  for (let i = 1; i <= n; i++) {
    const k = seen.get(i) ?? 0;
    if (k === 0) lost++;
    if (k > 1) dup += k - 1;
  }
  return { sent: n, received: values.length, lost, duplicated: dup };
};
console.log(`\n${RUN_MS / 1000} s with ${TOKEN_MS / 1000} s credentials, a message every 10 ms each way`);
console.table({
  'client → server': count(toServer, sent),
  'server → client': count(toClient, toClientSent),
});
console.log(
  `credential refreshes over the live socket: ${refreshes}; reconnects: ${statuses.filter((s) => s === 'reconnecting').length}`,
);
client.dispose();
await server.close();
