// Metrics on versus off, side by side in one run, in CPU time of the process (server and client in one): the same echo burst and the same resumes against a server with
// and without `createMetrics().observe()`, alternating per round so both see the same machine. Run alone with
// `npm run bench:metrics` (BENCH_ROUNDS, BENCH_N, BENCH_RESUMES) or as part of `npm run bench`.
import { WebSocket } from 'ws';
import { createMetrics, createSessionServer } from '../dist/server/index.js';

/** CPU time (user + system) of this process since `start`: less shaken than wall time by other work on the machine. */
const cpuMicros = (start) => {
  const d = process.cpuUsage(start);
  return d.user + d.system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function client(url) {
  const ws = new WebSocket(url);
  const frames = [];
  let wake = () => {};
  let received = 0;
  ws.on('message', (d) => {
    const frame = JSON.parse(d.toString());
    frames.push(frame);
    // Acknowledged as a client does, in batches, so the replay buffer stays small.
    if (frame.t === 'msg' && ++received % 100 === 0) ws.send(`{"t":"ack","seq":${frame.seq}}`);
    wake();
  });
  const until = async (check) => {
    while (!check()) await new Promise((r) => (wake = r));
  };
  return { ws, frames, until, opened: new Promise((r) => ws.once('open', r)) };
}

async function round(withMetrics, n, resumes) {
  const server = createSessionServer({ port: 0, host: '127.0.0.1' });
  await server.ready;
  const metrics = withMetrics ? await createMetrics() : null;
  metrics?.observe(server);
  server.on('session', (s) => s.on('message', (d) => s.send(d)));
  const url = `ws://127.0.0.1:${server.port}/`;
  let c = client(url);
  await c.opened;
  c.ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
  await c.until(() => c.frames.some((f) => f.t === 'welcome'));
  let { sid, token } = c.frames.find((f) => f.t === 'welcome');
  const body = 'x'.repeat(64);
  const echoes = () => c.frames.reduce((k, f) => k + (f.t === 'msg' ? 1 : 0), 0);
  const c0 = process.cpuUsage();
  for (let seq = 1; seq <= n; seq++) c.ws.send(`{"t":"msg","seq":${seq},"d":"${body}"}`);
  await c.until(() => echoes() === n);
  const messageNs = (cpuMicros(c0) * 1e3) / n;
  c.ws.send(JSON.stringify({ t: 'ack', seq: n }));
  await new Promise((r) => setTimeout(r, 20));
  const c1 = process.cpuUsage();
  for (let i = 0; i < resumes; i++) {
    c.ws.terminate();
    c = client(url);
    await c.opened;
    c.ws.send(JSON.stringify({ t: 'hello', v: 1, sid, token, ack: n }));
    await c.until(() => c.frames.some((f) => f.t === 'welcome'));
    token = c.frames.find((f) => f.t === 'welcome').token;
  }
  const resumeUs = cpuMicros(c1) / resumes;
  // A scrape, outside the timing, so the figures the metrics read are the real ones.
  if (metrics) await metrics.metrics();
  c.ws.terminate();
  await server.close();
  return { messageNs, resumeUs };
}

/** Per-round ratios (on ÷ off); `rounds` after one warm-up round of each. */
export async function metricsBench({ rounds = 9, n = 5000, resumes = 200 } = {}) {
  const off = [];
  const on = [];
  await round(false, n, resumes);
  await round(true, n, resumes);
  for (let i = 0; i < rounds; i++) {
    // Alternating which goes first, so neither always runs on a warmer or busier machine.
    if (i % 2) {
      on.push(await round(true, n, resumes));
      off.push(await round(false, n, resumes));
    } else {
      off.push(await round(false, n, resumes));
      on.push(await round(true, n, resumes));
    }
  }
  const figure = (k) => {
    const ratios = on.map((r, i) => r[k] / off[i][k]);
    return {
      off: median(off.map((r) => r[k])),
      on: median(on.map((r) => r[k])),
      ratio: median(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
    };
  };
  return { n, resumes, rounds, message: figure('messageNs'), resume: figure('resumeUs') };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await metricsBench({
    rounds: Number(process.env.BENCH_ROUNDS ?? 9),
    n: Number(process.env.BENCH_N ?? 5000),
    resumes: Number(process.env.BENCH_RESUMES ?? 200),
  });
  const f = (x, d = 2) => x.toFixed(d);
  console.table([
    {
      figure: `64 B echo, CPU per message (${r.n} per round)`,
      off: `${f(r.message.off, 0)} ns`,
      on: `${f(r.message.on, 0)} ns`,
      'on ÷ off': `${f(r.message.ratio)}× (${f(r.message.min)}–${f(r.message.max)})`,
    },
    {
      figure: `resume, connect → welcome, CPU per resume (${r.resumes} per round)`,
      off: `${f(r.resume.off, 1)} µs`,
      on: `${f(r.resume.on, 1)} µs`,
      'on ÷ off': `${f(r.resume.ratio)}× (${f(r.resume.min)}–${f(r.resume.max)})`,
    },
  ]);
}
