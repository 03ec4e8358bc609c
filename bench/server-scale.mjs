// Server heap per 1,000 idle sessions and resume latency with 10,000 sessions live. The server runs
// in a child process (its heap measured after gc); the sessions are raw protocol sockets here.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

function call(child, msg) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(msg);
  });
}

function hello(url, extra = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('close', (code, reason) => reject(new Error(`closed ${code} ${reason}`)));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0, ...extra })));
    ws.once('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.t !== 'welcome') return reject(new Error(`expected welcome, got ${d}`));
      resolve({ ws, welcome: f, ms: performance.now() - t0 });
    });
  });
}

async function openMany(url, n, into) {
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => hello(url)));
    into.push(...batch);
  }
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export async function serverScale({ sessions = 10_000, samples = 500 } = {}) {
  const child = fork(new URL('./server-child.mjs', import.meta.url), [], { execArgv: ['--expose-gc'] });
  if (process.env.BENCH_DEBUG) child.on('exit', (code, sig) => console.error('server child exit', code, sig));
  const [{ port }] = await once(child, 'message');
  const url = `ws://127.0.0.1:${port}/`;
  const live = [];
  const heap = [(await call(child, { cmd: 'heap' })).heapUsed];
  await openMany(url, 1000, live);
  heap.push((await call(child, { cmd: 'heap' })).heapUsed);
  await openMany(url, sessions - 1000, live);
  heap.push((await call(child, { cmd: 'heap' })).heapUsed);
  // Resume: drop a live session's socket, then time a new socket from connect to welcome.
  const latencies = [];
  let resumed = 0;
  for (let i = 0; i < samples; i++) {
    const k = Math.floor((i * live.length) / samples);
    const { ws, welcome } = live[k];
    ws.terminate();
    await once(ws, 'close');
    const again = await hello(url, { sid: welcome.sid, token: welcome.token });
    if (again.welcome.resumed) resumed++;
    latencies.push(again.ms);
    live[k] = again;
  }
  for (const { ws } of live) ws.terminate();
  child.send({ cmd: 'close' });
  await once(child, 'exit');
  return {
    heapPer1000First: (heap[1] - heap[0]) / 1024 / 1024,
    heapPer1000At10k: (heap[2] - heap[0]) / (sessions / 1000) / 1024 / 1024,
    resumeP50: quantile(latencies, 0.5),
    resumeP99: quantile(latencies, 0.99),
    resumeMin: Math.min(...latencies),
    resumeMax: Math.max(...latencies),
    resumed,
    samples,
    sessions,
  };
}
