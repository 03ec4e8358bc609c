// `npm run bench`: one table of every figure with its spread, printed and written to
// bench/results/. BENCH_BASELINE=<git ref> also builds that commit's bundle and measures it in the
// same browser, in the same rounds, for before/after. Environment: BENCH_ROUNDS (default 7 after
// one warm-up round), BENCH_N (messages per burst, default 5000), BENCH_ONLY=browser (sizes and the
// Chromium figures only, for a quicker look).
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildBaseline } from './baseline.mjs';
import { browserBench } from './browser.mjs';
import { startPeerServers } from './peer-servers.mjs';
import { metricsBench } from './metrics.mjs';
import { buildPeers } from './peers.mjs';
import { sendPathBench } from './send-path.mjs';
import { serverScale } from './server-scale.mjs';
import { sizes } from './size.mjs';
import { storm } from './storm.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const n = Number(process.env.BENCH_N ?? 5000);
const baselineRef = process.env.BENCH_BASELINE;
const browserOnly = process.env.BENCH_ONLY === 'browser';
const baseline = baselineRef ? buildBaseline(baselineRef) : null;
const bundles = { this: 'dist/bundle/reconnecting-session.min.js' };
if (baseline) bundles[`before (${baseline.ref})`] = baseline.file;

const rows = [];
const add = (figure, build, value, spread = '', note = '') => rows.push({ figure, build, value, spread, note });
const f = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const s of sizes(baseline?.dir)) add(`bundle ${s.file}`, s.build, `${s.gzip} B gzip`, '', `${s.bytes} B raw`);

for (const r of await sendPathBench({ baselineDir: baseline?.dir, rounds })) {
  add(
    `${r.size} B session-mode send() before ws.send (Node, no socket)`,
    r.build,
    `${f(r.ns, 0)} ns`,
    `${f(r.min, 0)}–${f(r.max, 0)}`,
    `JSON.stringify calls per send: ${r.stringify}`,
  );
}

const peers = await buildPeers();
const peerServers = await startPeerServers();
const benchPeers = Object.fromEntries(Object.entries(peers).filter(([, p]) => p.file));
const b = await browserBench({ bundles, peers: benchPeers, peerUrls: peerServers.urls, rounds, n });
await peerServers.close();
const label = {
  raw: 'raw WebSocket',
  'raw-event': 'raw WebSocket + one bubbling composed DOM event (no library)',
  plain: 'element, plain (session-message event)',
  session: 'element, session (session-message event)',
  'plain-direct': 'element, plain (onsessionmessage)',
  'session-direct': 'element, session (onsessionmessage)',
};
for (const r of b.rows) {
  const what = `${r.size} B echo: page script per message`;
  if (r.mode === 'raw') {
    add(
      `${what}, ${label.raw}`,
      r.build,
      `${f(r.scriptUs)} µs`,
      '',
      `CPU ${f(r.taskUs)} µs/msg, wall ${f(r.wallMs, 0)} ms`,
    );
    continue;
  }
  if (r.mode.startsWith('peer:')) continue;
  add(
    `${what}, ${label[r.mode] ?? r.mode} ÷ raw`,
    r.build,
    `${f(r.scriptRatio)}×`,
    `${f(r.scriptRatioMin)}–${f(r.scriptRatioMax)}`,
    `${f(r.scriptUs)} µs; CPU ${f(r.taskRatio)}×; wall ${f(r.wallRatio)}× (${f(r.wallRatioMin)}–${f(r.wallRatioMax)})`,
  );
}
for (const d of b.defaults) {
  add(
    '20k × 64 B burst while open, default bounds: send() calls that threw',
    d.name,
    String(d.threw),
    '',
    d.first ? `first at message ${d.first}` : '',
  );
}

// Peers beside this build: one row each, from the same rounds as the figures above.
const rowOf = (mode, size) => b.rows.find((r) => r.build === 'this' && r.mode === mode && r.size === size);
const ratio = (mode, size) => {
  const r = rowOf(mode, size);
  return r ? `${f(r.scriptRatio)}× (${f(r.scriptRatioMin)}–${f(r.scriptRatioMax)})` : '';
};
const rate = (mode) => {
  const r = rowOf(mode, 1024);
  return r ? `${Math.round(r.perSecond).toLocaleString('en')} /s` : '';
};
const own = sizes().find((s) => s.file === 'reconnecting-session.min.js');
const peerRows = [
  { library: 'raw WebSocket', gzip: '—', r64: '1.00×', r1k: '1.00×', rate: rate('raw') },
  {
    library: 'raw + one DOM event',
    gzip: '—',
    r64: ratio('raw-event', 64),
    r1k: ratio('raw-event', 1024),
    rate: rate('raw-event'),
  },
  ...['plain', 'session', 'plain-direct', 'session-direct'].map((m) => ({
    library: `reconnecting-session, ${label[m].replace('element, ', '')}`,
    gzip: String(own.gzip),
    r64: ratio(m, 64),
    r1k: ratio(m, 1024),
    rate: rate(m),
  })),
  ...Object.entries(peers).map(([name, p]) => ({
    library: `${name} ${p.version}`,
    gzip: String(p.gzip),
    r64: p.file ? ratio(`peer:${name}`, 64) : '',
    r1k: p.file ? ratio(`peer:${name}`, 1024) : '',
    rate: p.file ? rate(`peer:${name}`) : '',
  })),
];
const peerMd = [
  '| library | bundle, B gzip | page script per message ÷ raw, 64 B | same, 1 KB | received per second, 1 KB echo |',
  '| --- | --- | --- | --- | --- |',
  ...peerRows.map((r) => `| ${r.library} | ${r.gzip} | ${r.r64} | ${r.r1k} | ${r.rate} |`),
];

if (!browserOnly) {
  const storms = [];
  for (let i = 0; i < 3; i++) storms.push(await storm({ clients: 500 }));
  const st = (k) => storms.map((s) => s[k]);
  const spread = (xs, d) => `${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)}`;
  add(
    'storm, 500 Node clients: largest share back in any 100 ms',
    'this',
    `${f(median(st('peakShare100ms')) * 100, 1)} %`,
    spread(
      st('peakShare100ms').map((x) => x * 100),
      1,
    ),
    '3 runs; all sockets terminated at once',
  );
  add(
    'storm: time until the last one is back',
    'this',
    `${f(median(st('lastBackMs')), 0)} ms`,
    spread(st('lastBackMs'), 0),
    `first back after ${f(median(st('firstBackMs')), 0)} ms`,
  );
  add('storm: sessions resumed', 'this', `${median(st('resumed'))} / 500`, spread(st('resumed'), 0));

  const m = await metricsBench({ rounds });
  for (const [what, r, unit, d] of [
    [`64 B echo, CPU per message (${m.n} per round)`, m.message, 'ns', 0],
    [`resume, connect → welcome, CPU per resume (${m.resumes} per round)`, m.resume, 'µs', 1],
  ]) {
    add(
      `server metrics on ÷ off: ${what}`,
      'this',
      `${f(r.ratio)}×`,
      `${f(r.min)}–${f(r.max)}`,
      `off ${f(r.off, d)} ${unit}, on ${f(r.on, d)} ${unit}`,
    );
  }

  const scale = [];
  for (let i = 0; i < 3; i++) scale.push(await serverScale({ sessions: 10_000, samples: 500 }));
  const sc = (k) => scale.map((s) => s[k]);
  add(
    'server heap per 1,000 idle sessions (attached, after gc)',
    'this',
    `${f(median(sc('heapPer1000At10k')))} MiB`,
    spread(sc('heapPer1000At10k'), 2),
    `first 1,000: ${f(median(sc('heapPer1000First')))} MiB`,
  );
  add(
    'resume latency at 10,000 sessions, p50 (connect → welcome)',
    'this',
    `${f(median(sc('resumeP50')))} ms`,
    spread(sc('resumeP50'), 2),
    '500 resumes per run, 3 runs',
  );
  add(
    'resume latency at 10,000 sessions, p99',
    'this',
    `${f(median(sc('resumeP99')))} ms`,
    spread(sc('resumeP99'), 2),
    `all resumed: ${sc('resumed').every((x) => x === 500)}`,
  );
}

const header = `Bench ${new Date().toISOString()}: ${rounds} rounds after 1 warm-up, ${n} messages per burst; value = median of per-round values, spread = min–max over rounds`;
const md = [
  `# ${header}`,
  '',
  '| figure | build | value | spread | note |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.figure} | ${r.build} | ${r.value} | ${r.spread} | ${r.note} |`),
  '',
  `## Peers: the same page, the same rounds (${n} × echo per burst, ratio = median of per-round ratios, min–max)`,
  '',
  "Bundles: each library's import for a page (lit: LitElement, html, css, nothing), rollup + node-resolve (browser) + terser with this project's options, gzip -9. Text sockets (reconnecting-websocket, partysocket, raw) carry JSON text the page parses; socket.io, SignalR and Phoenix take values and serialise them themselves.",
  '',
  ...peerMd,
  '',
].join('\n');
console.log(`\n${header}`);
console.table(rows);
console.log(peerMd.join('\n'));
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
writeFileSync(file, md);
writeFileSync('bench/results/latest.md', md);
console.log(`written to ${file} and bench/results/latest.md`);
