// Session protocol against raw WebSocket, side by side on loopback: what exactly-once costs.
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { SessionClient } from '../dist/client/session-client.js';
import { headlessEnvironment } from '../dist/client/environment.js';
import { NO_ATTRIBUTES, parseConfig } from '../dist/config.js';
import { createSessionServer } from '../dist/server/index.js';

const payload = { user: 'ada', text: 'hello world, this is a chat message', n: 0 };

async function rawEcho(n) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.on('listening', r));
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(JSON.stringify({ echo: JSON.parse(d.toString()) }))));
  const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  await new Promise((r) => ws.on('open', r));
  let got = 0;
  const done = new Promise((r) => ws.on('message', () => ++got === n && r()));
  const start = performance.now();
  for (let i = 0; i < n; i++) ws.send(JSON.stringify({ ...payload, n: i }));
  await done;
  const ms = performance.now() - start;
  ws.close();
  await new Promise((r) => wss.close(r));
  return ms;
}

async function sessionEcho(n) {
  const server = createSessionServer({ port: 0, host: '127.0.0.1', maxReplayMessages: n * 2, maxReplayBytes: 1e9 });
  await server.ready;
  server.on('session', (s) => s.on('message', (d) => s.send({ echo: d })));
  const url = `ws://127.0.0.1:${server.port}/`;
  const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session', maxQueue: String(n * 2) }, url);
  let got = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  let resolveOpen;
  const opened = new Promise((r) => (resolveOpen = r));
  const client = new SessionClient(
    config,
    {
      status: (d) => d.status === 'open' && resolveOpen(),
      message: () => ++got === n && resolveDone(),
      error() {},
      session() {},
      recovered() {},
      sessionId() {},
    },
    headlessEnvironment(WebSocket),
  );
  client.connect();
  await opened;
  const start = performance.now();
  for (let i = 0; i < n; i++) client.send({ ...payload, n: i });
  await done;
  const ms = performance.now() - start;
  client.dispose();
  await server.close();
  return ms;
}

/** Time from a new socket to the last replayed message, for a session that missed `k` messages. */
async function resumeLatency(k) {
  const server = createSessionServer({ port: 0, host: '127.0.0.1', maxReplayMessages: k * 2, maxReplayBytes: 1e9 });
  await server.ready;
  const url = `ws://127.0.0.1:${server.port}/`;
  const first = new WebSocket(url);
  await new Promise((r) => first.on('open', r));
  first.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
  const welcome = await new Promise((r) => first.once('message', (d) => r(JSON.parse(d.toString()))));
  first.terminate();
  const session = server.getSession(welcome.sid);
  await new Promise((r) => session.once('detach', r));
  for (let i = 0; i < k; i++) session.send({ ...payload, n: i });
  const start = performance.now();
  const again = new WebSocket(url);
  let got = -1;
  const done = new Promise((r) => again.on('message', () => ++got === k && r()));
  again.on('open', () =>
    again.send(JSON.stringify({ t: 'hello', v: 1, ack: 0, sid: welcome.sid, token: welcome.token })),
  );
  await done;
  const ms = performance.now() - start;
  again.close();
  await server.close();
  return ms;
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function throughput() {
  const n = 20_000;
  const raw = [];
  const ses = [];
  // Interleaved rounds so both see the same machine load.
  for (let round = 0; round < 5; round++) {
    raw.push(await rawEcho(n));
    ses.push(await sessionEcho(n));
  }
  const r = median(raw);
  const s = median(ses);
  const resume = [];
  for (let round = 0; round < 5; round++) resume.push(await resumeLatency(1000));
  return {
    echo: [
      { case: `raw ws echo, ${n} msgs`, 'ms (median of 5)': r.toFixed(0), 'msgs/s': Math.round((n / r) * 1000) },
      {
        case: `session protocol echo, ${n} msgs (seq, acks, replay buffer)`,
        'ms (median of 5)': s.toFixed(0),
        'msgs/s': Math.round((n / s) * 1000),
      },
      { case: 'ratio session / raw', 'ms (median of 5)': (s / r).toFixed(2), 'msgs/s': '' },
    ],
    resume: [{ case: 'resume + replay 1000 missed messages', 'ms (median of 5)': median(resume).toFixed(1) }],
  };
}
