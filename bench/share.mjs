// Issue 19's figures for `share`, from one run, in Debian's Chromium (pages of one context are the tabs) against
// the built server (dist/) and the built script-tag bundle:
// 1. sockets and server sessions for 1, 10 and 30 tabs, with `share` and without;
// 2. TAKEOVERS takeovers under traffic (each tab sends every 10 ms, the server every 10 ms), striking the leader by
//    closing, crashing (renderer killed) and freezing it in turn; takeover time from the strike to the next welcome
//    (p50/p99 per kind); messages lost and duplicated each way;
// 3. the page's main-thread time per server message, in the leader and in a follower.
// Run: npm run bench:share   (TAKEOVERS=20 by default; SKIP_COUNTS=1 leaves out part 1)
// Puppeteer rather than Playwright: Chromium's page freezing holds timers through Puppeteer's CDP session, and
// did not through Playwright's (measured: a 10 ms interval went on running in the 'frozen' page).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { createSessionServer } from '../dist/server/index.js';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const TAKEOVERS = Number(process.env.TAKEOVERS ?? 20);
const BURST = 5000;
const bundle = readFileSync('dist/bundle/reconnecting-session.min.js');

const page = (share) => `<!doctype html><meta charset="utf-8"><title>tab</title>
<script>
  // This tab's sockets to the session server: the tab holding an open one leads.
  const Native = WebSocket, sockets = [];
  window.WebSocket = class extends Native { constructor(...a) { super(...a); sockets.push(this); } };
  window.leading = () => sockets.some((s) => s.readyState === 1);
  window.log = { ticks: [], statuses: [], sent: 0, burst: 0 };
</script>
<script type="module" src="/bundle.js"></script>
<reconnecting-session protocol="session" url="/ws" ${share ? 'share' : ''} delays="100" jitter="0"></reconnecting-session>
<script type="module">
  const el = document.querySelector('reconnecting-session');
  const tab = new URL(location.href).searchParams.get('tab');
  el.addEventListener('session-status', (e) => log.statuses.push([e.detail.status, Date.now()]));
  el.addEventListener('session-message', (e) => {
    const d = e.detail.data;
    if (d.tick !== undefined) log.ticks.push(d.tick);
    else if (d.burst !== undefined) log.burst++;
  });
  window.chatter = (ms) => (window.timer = setInterval(() => el.send({ tab, n: ++log.sent }), ms));
  window.hush = () => clearInterval(window.timer);
</script>`;

async function startServer() {
  const http = createServer((req, res) => {
    if (req.url === '/bundle.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    const share = !req.url.includes('alone');
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(share));
  });
  const server = createSessionServer({ server: http, path: '/ws' });
  const received = [];
  let tick = 0;
  server.on('session', (s) => s.on('message', (d) => received.push(d)));
  const ticker = setInterval(() => {
    for (const s of server.sessions) if (!s.closed) s.send({ tick: ++tick });
  }, 10);
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${http.address().port}`,
    server,
    received,
    sockets: () => server.wss.clients.size,
    quiet: () => clearInterval(ticker),
    stop: async () => {
      clearInterval(ticker);
      await server.close();
      http.close();
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, what, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(20);
  }
  throw new Error(`timed out: ${what}`);
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const lastStatus = async (p) => (await p.evaluate(() => log.statuses.at(-1)?.[0])) ?? null;

// As the browser tests run it: background tabs keep their timers, so only the strikes below stop a tab.
const args = [...chromiumArgs, '--disable-background-timer-throttling', '--disable-renderer-backgrounding'];
const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args });
let names = 0;
async function openTab(context, origin, query = '') {
  const p = await context.newPage();
  p.tabName = `t${++names}`;
  await p.goto(`${origin}/?tab=${p.tabName}${query}`);
  await until(async () => (await lastStatus(p)) === 'open', `${p.tabName} open`);
  return p;
}

// 1. Sockets and sessions.
console.log('tabs | share: sockets / sessions | alone: sockets / sessions');
for (const n of process.env.SKIP_COUNTS ? [] : [1, 10, 30]) {
  const row = [];
  for (const query of ['', '&alone']) {
    const srv = await startServer();
    const context = await browser.createBrowserContext();
    const opened = [];
    for (let i = 0; i < n; i++) opened.push(await openTab(context, srv.origin, query));
    // Each new tab came to the front; the first is brought back, as a person returning to it would.
    await opened[0].bringToFront();
    await until(() => srv.sockets() >= 1, 'a socket');
    await sleep(500);
    row.push(`${srv.sockets()} / ${srv.server.sessionCount}`);
    await context.close();
    await srv.stop();
  }
  console.log(`${n} | ${row.join(' | ')}`);
}

// 2. Takeovers under traffic.
{
  const srv = await startServer();
  const context = await browser.createBrowserContext();
  const tabs = [];
  for (let i = 0; i < 3; i++) tabs.push(await openTab(context, srv.origin));
  for (const t of tabs) await t.evaluate(() => chatter(10));
  const gone = [];
  const times = { close: [], crash: [], freeze: [] };
  const kinds = ['close', 'crash', 'freeze'];
  for (let i = 0; i < TAKEOVERS; i++) {
    const kind = kinds[i % 3];
    let leader;
    await until(async () => {
      const leads = await Promise.all(tabs.map((t) => t.evaluate(() => leading())));
      leader = leads.filter(Boolean).length === 1 ? tabs[leads.indexOf(true)] : undefined;
      return !!leader;
    }, 'one leader');
    // In front: a hidden leader would hand over to the newest tab on its own after 5 s.
    await leader.bringToFront();
    await sleep(300);
    const others = tabs.filter((t) => t !== leader);
    const t0 = Date.now();
    let cdp;
    if (kind === 'close') await leader.close({ runBeforeUnload: false });
    else if (kind === 'crash') {
      cdp = await leader.createCDPSession();
      void cdp.send('Page.crash').catch(() => {});
    } else {
      cdp = await leader.createCDPSession();
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    }
    // The next welcome: a status 'open' in another tab after the strike, reported with the page's clock.
    let at = null;
    await until(async () => {
      for (const t of others) {
        const s = await t.evaluate((since) => log.statuses.find(([st, ts]) => st === 'open' && ts >= since), t0);
        if (s && (at === null || s[1] < at)) at = s[1];
      }
      return at !== null && (await Promise.all(others.map((t) => t.evaluate(() => leading())))).some(Boolean);
    }, `takeover ${i} (${kind})`).catch(async (error) => {
      for (const t of others) {
        console.error(t.tabName, JSON.stringify(await t.evaluate(() => [leading(), log.statuses.slice(-3)])));
      }
      throw error;
    });
    times[kind].push(at - t0);
    if (kind === 'freeze') {
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await leader.evaluate(() => hush());
      gone.push(leader);
      await leader.close();
    } else if (kind === 'crash') {
      gone.push(leader);
      void leader.close().catch(() => {});
    } else gone.push(leader);
    tabs.splice(tabs.indexOf(leader), 1);
    const fresh = await openTab(context, srv.origin);
    await fresh.evaluate(() => chatter(10));
    tabs.push(fresh);
  }
  // Traffic goes on a while in the last tabs, so their tick counts mean something.
  await sleep(5000);
  for (const t of tabs) await t.evaluate(() => hush());
  await sleep(1500);
  // Client → server: every surviving tab's 1…sent exactly once; a tab that died, a prefix, no repeats.
  const by = new Map();
  for (const r of srv.received) {
    if (!by.has(r.tab)) by.set(r.tab, []);
    by.get(r.tab).push(r.n);
  }
  let lostUp = 0;
  let dupUp = 0;
  for (const [, ns] of by) dupUp += ns.length - new Set(ns).size;
  for (const t of tabs) {
    const sent = await t.evaluate(() => log.sent);
    const got = new Set(by.get(t.tabName) ?? []);
    for (let n = 1; n <= sent; n++) if (!got.has(n)) lostUp++;
  }
  // Server → client: each surviving tab's ticks contiguous from its first, none twice.
  let lostDown = 0;
  let dupDown = 0;
  let ticks = 0;
  for (const t of tabs) {
    const xs = await t.evaluate(() => log.ticks);
    ticks += xs.length;
    dupDown += xs.length - new Set(xs).size;
    lostDown += xs.at(-1) - xs[0] + 1 - new Set(xs).size;
  }
  console.log(`\n${TAKEOVERS} takeovers under traffic (3 tabs, 10 ms each way):`);
  for (const k of kinds) {
    if (times[k].length)
      console.log(`  ${k}: n=${times[k].length} p50 ${pct(times[k], 50)} ms, p99 ${pct(times[k], 99)} ms`);
  }
  console.log(`  client→server: ${srv.received.length} messages, lost ${lostUp}, duplicated ${dupUp}`);
  console.log(`  server→client: ${ticks} ticks in the surviving tabs, lost ${lostDown}, duplicated ${dupDown}`);
  console.log(`  server sessions: ${srv.server.sessionCount}, sockets: ${srv.sockets()}`);

  // 3. Page cost per server message: main-thread task time over bursts, leader against a follower, with nothing
  // else sent. Three rounds; the ratio is per round, the two tabs measured over the same bursts.
  srv.quiet();
  await sleep(500);
  const taskTime = async (p) => {
    const s = await p.createCDPSession();
    await s.send('Performance.enable');
    return async () => (await s.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  };
  const leads = await Promise.all(tabs.map((t) => t.evaluate(() => leading())));
  const leader = tabs[leads.indexOf(true)];
  const follower = tabs.find((t) => t !== leader);
  const [lt, ft] = [await taskTime(leader), await taskTime(follower)];
  const [session] = [...srv.server.sessions];
  console.log(`\nmain-thread time per server message (bursts of ${BURST}):`);
  for (let round = 1; round <= 3; round++) {
    for (const t of [leader, follower]) await t.evaluate(() => (log.burst = 0));
    const [l0, f0] = [await lt(), await ft()];
    for (let i = 0; i < BURST; i++) session.send({ burst: i });
    for (const t of [leader, follower])
      await until(async () => (await t.evaluate(() => log.burst)) >= BURST, 'burst', 60_000);
    await sleep(200);
    const perL = (((await lt()) - l0) / BURST) * 1e6;
    const perF = (((await ft()) - f0) / BURST) * 1e6;
    console.log(
      `  round ${round}: leader ${perL.toFixed(1)} µs, follower ${perF.toFixed(1)} µs (follower/leader ${(perF / perL).toFixed(2)}×)`,
    );
  }
  await context.close();
  await srv.stop();
}
await browser.close();
