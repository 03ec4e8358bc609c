// `npm run bench:attacks`: the server's memory and hold times under the attacks of the hardening issue,
// with its default options, on loopback. Clients run in a child process so the heap figures are the server's.
// Prints one table and writes it to bench/results/attacks.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { attachEchoApp, createSessionServer } from '../dist/server/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const MiB = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const rows = [];
const progress = (what) => process.stderr.write(`bench:attacks: ${what}\n`);

// Every bench client comes from 127.0.0.1, so the per-address limits (which would stop a real attacker at 256)
// are raised; every other option keeps its default.
const LOOPBACK = { maxConnectionsPerAddress: 100_000, maxSessionsPerAddress: 100_000 };

async function server(options = {}) {
  const s = createSessionServer({ port: 0, host: '127.0.0.1', ...LOOPBACK, ...options });
  await s.ready;
  return { s, url: `ws://127.0.0.1:${s.port}/` };
}

function clients(url, count, mode) {
  const child = spawn(process.execPath, ['bench/attack-clients.mjs', url, String(count), mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  const waitFor = async (word) => {
    while (!out.includes(word)) {
      if (exited) throw new Error(`attack clients exited before "${word}"`);
      await delay(20);
    }
  };
  return {
    ready: waitFor('ready'),
    send: (command) => child.stdin.write(`${command}\n`),
    waitFor,
    exit: () => {
      child.stdin.write('exit\n');
      return new Promise((r) => child.once('exit', r));
    },
  };
}

/** Samples the heap (no GC) every 25 ms while `work` runs; returns the peak above the start. */
async function peakDuring(work) {
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 25);
  await work();
  clearInterval(timer);
  return peak - start;
}

{
  // Retained per session once everything is acknowledged.
  const { s, url } = await server({ ackDelayMs: 1 });
  const sockets = [];
  for (let i = 0; i < 20; i++) {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
    await new Promise((r) => ws.once('message', r));
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.t === 'msg') ws.send(JSON.stringify({ t: 'ack', seq: f.seq }));
    });
    sockets.push(ws);
  }
  const connected = heap();
  const payload = 'x'.repeat(256 * 1024);
  for (const session of s.sessions) {
    for (let i = 0; i < 64; i++) {
      session.send(payload);
      while (session.pending > 2) await delay(1);
    }
  }
  for (const session of s.sessions) while (session.pending > 0) await delay(2);
  const after = heap();
  progress('acknowledged data');
  rows.push([
    'retained per session after 64 × 256 KiB sent and acknowledged',
    `${((after - connected) / 20 / 1024).toFixed(1)} KiB (16 MiB sent each)`,
  ]);
  for (const ws of sockets) ws.terminate();
  await s.close();
}

{
  const { s, url } = await server();
  const before = heap();
  const c = clients(url, 1000, 'idle');
  await c.ready;
  const after = heap();
  rows.push(['server heap per 1,000 idle connected sessions', MiB(after - before)]);
  progress('idle sessions');
  const pre = heap();
  for (let i = 0; i < 1000; i++) s.createSession();
  rows.push(['server heap per 1,000 detached sessions (createSession)', MiB(heap() - pre)]);
  await c.exit();
  progress('idle clients gone');
  await s.close();
  progress('idle server closed');
}

{
  // A socket that upgrades and then says nothing, and never answers the close frame.
  const { s } = await server();
  const start = Date.now();
  const held = await new Promise((resolve) => {
    const sock = connect(s.port, '127.0.0.1', () =>
      sock.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    // Reads (and ignores) what comes, so that the end of the connection is seen when the server cuts it.
    sock.on('data', () => {});
    sock.on('error', () => {});
    sock.on('close', () => resolve(Date.now() - start));
  });
  progress('silent socket');
  rows.push(['silent upgraded socket held (defaults: hello 10 s + close 2 s)', `${(held / 1000).toFixed(1)} s`]);
  const slowStart = Date.now();
  const slow = await new Promise((resolve) => {
    const sock = connect(s.port, '127.0.0.1', () => sock.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    const trickle = setInterval(() => sock.write('X-Slow: 1\r\n'), 1000);
    sock.on('data', () => {});
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(trickle);
      resolve(Date.now() - slowStart);
    });
  });
  rows.push(['slow-headers socket held (headersTimeoutMs 10 s)', `${(slow / 1000).toFixed(1)} s`]);
  await s.close();
}

{
  // Chat amplification: 1,000 sessions that never acknowledge; one sends 1.2 MB of chat.
  const { s, url } = await server();
  attachEchoApp(s);
  const c = clients(url, 1000, 'idle');
  await c.ready;
  const peak = await peakDuring(async () => {
    c.send('chat');
    await c.waitFor('sent');
    const attacker = [...s.sessions][0];
    while (attacker.inSeq < 600) await delay(20);
  });
  progress('chat amplification');
  rows.push([
    'peak heap growth, chat amplification (1,000 sessions, 1.2 MB fanned out)',
    `${MiB(peak)} (replay kept: ${MiB(s.replayBytes)}, budget 128 MiB)`,
  ]);
  await c.exit();
  await s.close();
}

{
  // 300 clients that stop reading while the server sends each 1 MiB.
  const { s, url } = await server({ maxReplayBytes: 4 * 1048576 });
  const c = clients(url, 300, 'deaf');
  await c.ready;
  const chunk = 'n'.repeat(64 * 1024);
  let refused = 0;
  const peak = await peakDuring(async () => {
    for (let i = 0; i < 16; i++) {
      for (const session of s.sessions) {
        try {
          session.send(chunk);
        } catch {
          refused++;
        }
      }
      await delay(10);
    }
  });
  let buffered = 0;
  for (const ws of s.wss.clients) buffered = Math.max(buffered, ws.bufferedAmount);
  rows.push([
    'peak heap growth, 300 non-reading clients sent 1 MiB each',
    `${MiB(peak)} (largest socket buffer ${MiB(buffered)}, cap 0.25 MiB; refused ${refused})`,
  ]);
  await c.exit();
  await s.close();
}

const table = ['| measure | value |', '| --- | --- |', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');
console.log(table);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/attacks.md',
  `# Server under attack (${new Date().toISOString().slice(0, 10)}, Node ${process.version})\n\n${table}\n`,
);
