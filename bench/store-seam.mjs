// What putting the in-process MemoryStore behind the store seam would cost a server without a store: send and
// resume throughput of the built server (dist/) without a store beside the same server with `store: new
// MemoryStore()`, rounds interleaved. Run: npm run build && node bench/store-seam.mjs
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const load = (dir) => import(`${pathToFileURL(resolve(dir)).href}/server/index.js`);
const { createSessionServer, MemoryStore } = await load('dist');
// BASELINE=<another build's dist> adds that build without a store (e.g. from before a change), in the same rounds.
const baseline = process.env.BASELINE ? await load(process.env.BASELINE) : null;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SENDS = 20_000;
const RESUMES = 500;
const data = { n: 12345, text: 'x'.repeat(44) };

function open(port, hello) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0, ...hello })));
    ws.once('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.t === 'welcome') resolve({ ws, welcome: f });
      else reject(new Error(`expected welcome, got ${d}`));
    });
  });
}

const closed = (ws) => new Promise((resolve) => (ws.readyState === 3 ? resolve() : ws.once('close', resolve)));

/** Server sends SENDS messages to an attached client that acks every 100; until the last one arrives. */
async function sendRun(server) {
  const { ws } = await open(server.port);
  const session = [...server.sessions][0];
  const done = new Promise((resolve) =>
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.t !== 'msg') return;
      if (f.seq % 100 === 0) ws.send(JSON.stringify({ t: 'ack', seq: f.seq }));
      if (f.seq === SENDS) resolve();
    }),
  );
  const t0 = performance.now();
  for (let i = 0; i < SENDS;) {
    try {
      session.send(data);
      i++;
    } catch {
      await new Promise((r) => session.once('drain', r));
    }
  }
  await done;
  const ms = performance.now() - t0;
  ws.close();
  await closed(ws);
  return (SENDS / ms) * 1000;
}

/** One session resumed RESUMES times in a row (connect, hello with the token, welcome, close). */
async function resumeRun(server) {
  let { ws, welcome } = await open(server.port);
  ws.close();
  await closed(ws);
  const t0 = performance.now();
  for (let i = 0; i < RESUMES; i++) {
    const next = await open(server.port, { sid: welcome.sid, token: welcome.token });
    if (!next.welcome.resumed) throw new Error(`not resumed: ${JSON.stringify(next.welcome)}`);
    welcome = next.welcome;
    next.ws.close();
    await closed(next.ws);
  }
  return (RESUMES / (performance.now() - t0)) * 1000;
}

const variants = {
  'no store': [createSessionServer, () => ({})],
  MemoryStore: [createSessionServer, () => ({ store: new MemoryStore() })],
  ...(baseline ? { 'baseline, no store': [baseline.createSessionServer, () => ({})] } : {}),
};
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, { send: [], resume: [] }]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, [create, options]] of Object.entries(variants)) {
    for (const [kind, run] of [
      ['send', sendRun],
      ['resume', resumeRun],
    ]) {
      const server = create({ port: 0, host: '127.0.0.1', maxReplayMessages: 10_000, ...options() });
      await server.ready;
      const rate = await run(server);
      await server.close();
      // Round 0 warms the JIT up.
      if (round > 0) results[name][kind].push(rate);
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = results['no store'];
console.log('| server | sends/s (median) | resumes/s (median) |');
console.log('| --- | ---: | ---: |');
for (const [name, r] of Object.entries(results)) {
  const rel = (kind) =>
    name === 'no store' ? '' : ` (${Math.round((median(r[kind]) / median(base[kind]) - 1) * 100)} %)`;
  console.log(
    `| ${name} | ${Math.round(median(r.send)).toLocaleString('en')}${rel('send')} | ${Math.round(median(r.resume)).toLocaleString('en')}${rel('resume')} |`,
  );
}
