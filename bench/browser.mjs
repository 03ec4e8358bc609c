// Chromium page bench: raw WebSocket vs the element (plain, session) and the peers, echo of a pipelined
// burst. Page script time comes from the DevTools Performance domain (ScriptDuration: all JavaScript the
// page ran, our code and the page's handlers), read before and after each burst; CPU is TaskDuration
// (every main-thread task). Both in thread time: on a shared machine wall time inside a script also
// counts the time the thread waited for a core. The machine's load drifts, so every measurement is compared
// with the raw WebSocket bursts run right before and right after it in the same page (their mean), the
// order of the modes rotates from round to round, and the first round is a warm-up that is not counted.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { createSessionServer } from '../dist/server/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><body><script type="module">
// What any DOM-event API must at least do per message: the floor the element is measured against.
const EVENT_INIT = { bubbles: true, composed: true };
const LIMITS = { 'max-queue': '10000000', 'max-queue-bytes': '1073741824' };
const payload = (i, size) => ({ n: i, text: 'x'.repeat(size - 20) });
let cur = null;
const opened = (el) => new Promise((resolve) => {
  if (el.status === 'open') return resolve();
  el.addEventListener('session-status', function on(e) {
    if (e.detail.status === 'open') { el.removeEventListener('session-status', on); resolve(); }
  });
});
window.setup = async (mode, urls, limits = true) => {
  let sink = null;
  if (mode === 'raw' || mode === 'raw-event') {
    const ws = new WebSocket(urls.raw);
    await new Promise((r) => (ws.onopen = r));
    cur = { mode, ws, sink, target: document.body.appendChild(document.createElement('div')) };
    return;
  }
  if (mode.startsWith('peer:')) {
    const peer = window.peers[mode.slice(5)];
    cur = { mode, ...(await peer.open(urls)) };
    return;
  }
  const session = mode.startsWith('session');
  const el = document.createElement('reconnecting-session');
  el.setAttribute('url', session ? urls.session : urls.raw);
  if (session) el.setAttribute('protocol', 'session');
  if (limits) for (const [k, v] of Object.entries(LIMITS)) el.setAttribute(k, v);
  document.body.append(el);
  await opened(el);
  cur = { mode, el };
};
window.burst = (n, size) => new Promise((resolve) => {
  const { mode } = cur;
  let got = 0;
  let keep = null;
  const t0 = performance.now();
  const done = () => { if (++got === n) resolve(performance.now() - t0); };
  if (mode === 'raw') {
    const ws = cur.ws;
    ws.onmessage = (e) => { keep = JSON.parse(e.data); done(); };
    for (let i = 0; i < n; i++) ws.send(JSON.stringify(payload(i, size)));
    return;
  }
  if (mode.startsWith('peer:')) {
    cur.onmessage((value) => { keep = value; done(); });
    for (let i = 0; i < n; i++) cur.send(payload(i, size));
    return;
  }
  if (mode === 'raw-event') {
    const { ws, target } = cur;
    target.addEventListener('m', (e) => { keep = JSON.parse(e.detail.data); done(); });
    ws.onmessage = (e) => {
      const ev = new Event('m', EVENT_INIT);
      ev.detail = { data: e.data, seq: null };
      target.dispatchEvent(ev);
    };
    for (let i = 0; i < n; i++) ws.send(JSON.stringify(payload(i, size)));
    return;
  }
  const el = cur.el;
  const plain = mode.startsWith('plain');
  if (mode.endsWith('-direct')) el.onsessionmessage = plain ? (d) => { keep = JSON.parse(d); done(); } : (d) => { keep = d; done(); };
  else el.addEventListener('session-message', plain ? (e) => { keep = JSON.parse(e.detail.data); done(); } : (e) => { keep = e.detail.data; done(); });
  for (let i = 0; i < n; i++) el.send(payload(i, size));
  window.keep = keep;
});
/** A burst with the element's default bounds: how many send() calls threw. */
window.defaultsBurst = (n, size) => {
  let threw = 0;
  let first = null;
  for (let i = 0; i < n; i++) {
    try { cur.el.send(payload(i, size)); } catch (e) { threw++; first ??= i + 1; }
  }
  return { threw, first };
};
window.teardown = async () => {
  if (cur?.ws) cur.ws.close();
  if (cur?.target) cur.target.remove();
  if (cur?.el) { cur.el.disconnect(); cur.el.remove(); }
  // SignalR's stop() is asynchronous: a peer still closing must not run during the next burst.
  if (cur?.close) await cur.close();
  cur = null;
};
window.ready = true;
</script>`;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function browserBench({ bundles, peers = {}, peerUrls = {}, rounds = 7, n = 20_000, sizes = [64, 1024] }) {
  const rawServer = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => rawServer.on('listening', r));
  rawServer.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
  const sessionServer = createSessionServer({
    port: 0,
    host: '127.0.0.1',
    maxReplayMessages: 10_000_000,
    maxReplayBytes: 2 ** 30,
    maxTotalReplayBytes: 2 ** 34,
    // The bench page is served from another port of this host.
    allowedOrigins: () => true,
  });
  await sessionServer.ready;
  sessionServer.on('session', (s) => s.on('message', (d) => s.send(d)));
  // Pages are addressed by index: a build's label may not be URL-safe.
  const ids = new Map(Object.keys(bundles).map((name, i) => [name, `b${i}`]));
  const files = new Map(Object.entries(bundles).map(([name, file]) => [`/${ids.get(name)}/bundle.js`, file]));
  for (const [name, p] of Object.entries(peers)) files.set(`/peers/${name}.js`, p.file);
  const http = createServer((req, res) => {
    const file = files.get(req.url);
    if (file) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(readFileSync(file));
    }
    const name = req.url.split('/')[1];
    const peerImports = Object.keys(peers)
      .map(
        (p) => `<script type="module">import * as m from '/peers/${p}.js'; (window.peers ??= {})['${p}'] = m;</script>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      PAGE.replace('<script type="module">', `${peerImports}<script type="module">import '/${name}/bundle.js';\n`),
    );
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${http.address().port}`;
  const urls = {
    ...peerUrls,
    raw: `ws://127.0.0.1:${rawServer.address().port}/`,
    session: `ws://127.0.0.1:${sessionServer.port}/`,
  };

  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  const pages = {};
  for (const name of Object.keys(bundles)) {
    const page = await browser.newPage();
    await page.goto(`${base}/${ids.get(name)}/`);
    await page.waitForFunction(() => window.ready === true);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    pages[name] = { page, cdp };
  }
  const metrics = async (cdp) => {
    const { metrics: m } = await cdp.send('Performance.getMetrics');
    const get = (k) => m.find((x) => x.name === k).value;
    return { script: get('ScriptDuration'), task: get('TaskDuration') };
  };
  const one = async (name, mode, size) => {
    if (process.env.BENCH_DEBUG) console.error(name, mode, size);
    const { page, cdp } = pages[name];
    await page.evaluate(([m, u]) => window.setup(m, u), [mode, urls]);
    const before = await metrics(cdp);
    const wall = await page.evaluate(([k, s]) => window.burst(k, s), [n, size]);
    const after = await metrics(cdp);
    await page.evaluate(() => window.teardown());
    return {
      wall,
      script: ((after.script - before.script) * 1e6) / n,
      task: ((after.task - before.task) * 1e6) / n,
    };
  };

  // name → modes measured in that page; the reference and the peers run in the first page.
  const plan = {};
  const names = Object.keys(bundles);
  for (const name of names) {
    plan[name] = ['plain', 'session'];
    if (name === names[0])
      plan[name].push('plain-direct', 'session-direct', 'raw-event', ...Object.keys(peers).map((p) => `peer:${p}`));
  }
  const samples = {};
  const push = (key, x) => (samples[key] ??= []).push(x);
  for (let round = 0; round <= rounds; round++) {
    for (const size of sizes) {
      for (const name of names) {
        const modes = plan[name].map((_, i) => plan[name][(i + round) % plan[name].length]);
        // raw, two modes, raw, two modes, …, raw: each mode sits next to a raw burst on both sides.
        let before = await one(name, 'raw', size);
        const keep = (r) =>
          round > 0 && push(`${size}|${name}|raw`, { ...r, scriptRatio: 1, taskRatio: 1, wallRatio: 1 });
        keep(before);
        for (let i = 0; i < modes.length; i += 2) {
          const got = [];
          for (const mode of modes.slice(i, i + 2)) got.push([mode, await one(name, mode, size)]);
          const after = await one(name, 'raw', size);
          keep(after);
          const raw = (k) => (before[k] + after[k]) / 2;
          if (round > 0) {
            for (const [mode, r] of got) {
              push(`${size}|${name}|${mode}`, {
                ...r,
                scriptRatio: r.script / raw('script'),
                taskRatio: r.task / raw('task'),
                wallRatio: r.wall / raw('wall'),
              });
            }
          }
          before = after;
        }
      }
    }
  }

  // With the default bounds (no max-queue attributes), in the same pages.
  const defaults = [];
  for (const name of names) {
    const { page } = pages[name];
    await page.evaluate(([u]) => window.setup('session', u, false), [urls]);
    const r = await page.evaluate(([k, s]) => window.defaultsBurst(k, s), [20_000, 64]);
    await page.evaluate(() => window.teardown());
    defaults.push({ name, ...r });
  }
  await browser.close();
  await sessionServer.close();
  await new Promise((r) => rawServer.close(r));
  http.closeAllConnections?.();
  await new Promise((r) => http.close(r));

  const rows = [];
  for (const [key, xs] of Object.entries(samples)) {
    const [size, name, mode] = key.split('|');
    const col = (k) => xs.map((x) => x[k]);
    rows.push({
      size: Number(size),
      build: name,
      mode,
      scriptUs: quantile(col('script'), 0.5),
      scriptRatio: quantile(col('scriptRatio'), 0.5),
      scriptRatioMin: Math.min(...col('scriptRatio')),
      scriptRatioMax: Math.max(...col('scriptRatio')),
      taskUs: quantile(col('task'), 0.5),
      taskRatio: quantile(col('taskRatio'), 0.5),
      wallRatio: quantile(col('wallRatio'), 0.5),
      wallRatioMin: Math.min(...col('wallRatio')),
      wallRatioMax: Math.max(...col('wallRatio')),
      wallMs: quantile(col('wall'), 0.5),
      // Messages received per second of the burst (each message also went out and came back).
      perSecond: quantile(
        col('wall').map((w) => (n * 1000) / w),
        0.5,
      ),
    });
  }
  return { rows, defaults, n, rounds };
}
