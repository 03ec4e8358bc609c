import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WebSocket, type ClientOptions } from 'ws';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { until } from './support.js';
import { freePort, TestRedis } from './redis-support.js';
import { NodeProcess, sessionClient } from './cluster-support.js';
import { documentedConfig, substitute, TestNginx } from './nginx-support.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The test copy's proxy_read_timeout: short, so a quiet socket is cut while the test waits. */
const READ_TIMEOUT_S = 1;

/** What the scenario needs of a client: the real SessionClient in this process, or the element in Chromium. */
interface Driver {
  send(value: number): Promise<void>;
  state(): Promise<{ open: boolean; received: unknown[]; resumes: number; news: number; reasons: string[] }>;
}

/** A page the nodes serve (`--static`): the element, told its URL by the page, recording what happens. */
const PAGE = `<!doctype html>
<script type="module" src="/reconnecting-session.min.js"></script>
<reconnecting-session protocol="session" manual delays="20" jitter="0" max-attempts="1000"></reconnecting-session>
<script type="module">
  const el = document.querySelector('reconnecting-session');
  const log = (window.log = { received: [], resumes: 0, news: 0, reasons: [] });
  el.addEventListener('session-message', (e) => log.received.push(e.detail.data));
  el.addEventListener('session-resumed', () => log.resumes++);
  el.addEventListener('session-new', (e) => (log.news++, e.detail.reason && log.reasons.push(e.detail.reason)));
  await customElements.whenDefined('reconnecting-session');
  el.url = 'wss://' + location.host + '/';
  el.connect();
</script>`;

async function attached(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^reconnecting_session_sessions_attached (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('nginx with the configuration from docs/operations.md, two CLI nodes on Redis', () => {
  let redis: TestRedis;
  const nginx = new TestNginx();
  const pages = mkdtempSync(join(tmpdir(), 'rs-pages-'));
  const nodes: NodeProcess[] = [];
  const metricsPorts: number[] = [];
  let tlsPort = 0;
  let plainPort = 0;
  let ca = '';

  before(async () => {
    redis = await TestRedis.start();
    [tlsPort, plainPort] = [await freePort(), await freePort()];
    writeFileSync(join(pages, 'index.html'), PAGE);
    for (const id of ['N1', 'N2']) {
      const metricsPort = await freePort();
      metricsPorts.push(metricsPort);
      const origins = ['--allow-origin', 'https://app.example.com', '--allow-origin', `https://127.0.0.1:${tlsPort}`];
      const extra = ['--trust-proxy', '1', ...origins, '--static', pages, '--metrics-port', String(metricsPort)];
      nodes.push(new NodeProcess(await freePort(), redis.url, id, extra));
    }
    await Promise.all(nodes.map((n) => n.start()));
    const { cert, key, pem } = nginx.certificate();
    ca = pem;
    let site = documentedConfig();
    site = substitute(site, 'server 127.0.0.1:8001;', `server 127.0.0.1:${nodes[0]!.port};`);
    site = substitute(site, 'server 127.0.0.1:8002;', `server 127.0.0.1:${nodes[1]!.port};`);
    site = substitute(site, 'listen 80;', `listen 127.0.0.1:${plainPort};`);
    site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`);
    site = substitute(site, '/etc/ssl/app.example.com/fullchain.pem', cert);
    site = substitute(site, '/etc/ssl/app.example.com/privkey.pem', key);
    site = substitute(site, /proxy_read_timeout \d+s;/, `proxy_read_timeout ${READ_TIMEOUT_S}s;`);
    // What the doc puts in nginx.conf's main context, shortened like the read timeout.
    await nginx.start(site, tlsPort, 'worker_shutdown_timeout 1s;');
  });

  after(async () => {
    await nginx.stop();
    for (const n of nodes) await n.kill();
    await redis?.stop();
    rmSync(pages, { recursive: true, force: true });
  });

  /** Idle cut, reload under traffic, the owner killed under traffic; then every echo exactly once, in order. */
  async function scenario(d: Driver): Promise<string> {
    const started = Date.now();
    let next = 0;
    const sendSome = async (n: number, gapMs: number) => {
      for (let i = 0; i < n; i++) {
        await d.send(next++);
        await pause(gapMs);
      }
    };
    const wait = async (check: (s: Awaited<ReturnType<Driver['state']>>) => boolean, what: string, ms = 5000) => {
      const deadline = Date.now() + ms;
      while (!check(await d.state())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await d.state())}`);
        await pause(20);
      }
    };
    try {
      await wait((s) => s.open, `open through nginx (${nginx.log()})`, 10_000);
      await sendSome(50, 2);
      await wait((s) => s.received.length === next, 'first echoes');

      // Quiet for longer than proxy_read_timeout: nginx cuts the socket and the client resumes.
      await wait((s) => s.resumes >= 1, 'a resume after the idle cut', READ_TIMEOUT_S * 1000 + 3000);
      await wait((s) => s.open, 'open again');
      await sendSome(50, 2);

      // A reload under traffic: the old worker closes its sockets after worker_shutdown_timeout.
      const beforeReload = (await d.state()).resumes;
      nginx.reload();
      const deadline = Date.now() + 5000;
      while ((await d.state()).resumes === beforeReload && Date.now() < deadline) await sendSome(10, 20);
      assert.ok((await d.state()).resumes > beforeReload, 'the reload moved the client to a new worker');
      await sendSome(50, 2);

      // The node holding the session dies; nginx sends the client to the other one.
      await wait((s) => s.open && s.received.length === next, 'settled before the kill');
      const counts = await Promise.all(metricsPorts.map(attached));
      const owner = counts.indexOf(1);
      assert.ok(owner >= 0 && counts[1 - owner] === 0, `one node holds the socket (${counts})`);
      const beforeKill = (await d.state()).resumes;
      const sending = sendSome(200, 2);
      await pause(100);
      await nodes[owner]!.kill();
      await sending;
      await wait((s) => s.resumes > beforeKill, 'a resume after the kill', 10_000);
      await wait((s) => s.received.length >= next, 'all echoes', 15_000);
      await pause(200);
      const s = await d.state();
      assert.deepEqual(
        s.received,
        range(next).map((i) => ({ echo: i })),
      );
      assert.equal(s.news, 1, `one session throughout (${s.reasons.join()})`);
      assert.equal(await attached(metricsPorts[1 - owner]!), 1, 'the other node holds it now');
      return `${next} messages, ${s.resumes} resumes through nginx in ${Date.now() - started} ms`;
    } finally {
      // The next scenario starts with both nodes up.
      await nodes.find((n) => !n.child)?.start();
    }
  }

  it('the SessionClient resumes through idle cuts, a reload and a node killed: every echo once, in order', async () => {
    // Over wss://, trusting the test certificate as a browser trusts a real one.
    class TrustingWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { ca } satisfies ClientOptions);
      }
    }
    const c = sessionClient(`wss://127.0.0.1:${tlsPort}/`, '20', TrustingWebSocket);
    try {
      const report = await scenario({
        send: async (value) => void c.client.send(value),
        state: async () => ({
          open: c.client.status === 'open',
          received: c.received,
          resumes: c.resumes(),
          news: c.news(),
          reasons: c.reasons,
        }),
      });
      console.log(`# SessionClient: ${report}`);
    } finally {
      c.client.dispose();
    }
  });

  it('the element in Chromium, on a page served through nginx, does the same', async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    try {
      // The test certificate is not in Chromium's store; a real one would be.
      const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
      await page.goto(`https://127.0.0.1:${tlsPort}/`);
      const report = await scenario({
        send: (value) => page.evaluate((v) => void document.querySelector('reconnecting-session')!.send(v), value),
        state: () =>
          page.evaluate(() => {
            const w = window as unknown as {
              log: { received: unknown[]; resumes: number; news: number; reasons: string[] };
            };
            return { open: document.querySelector('reconnecting-session')!.status === 'open', ...w.log };
          }),
      });
      console.log(`# Chromium: ${report}`);
    } finally {
      await browser.close();
    }
  });

  it('X-Forwarded-For with --trust-proxy 1: a refused page is logged with its own address, not nginx’s', async () => {
    // From 127.0.0.2 (a loopback address of its own), with a made-up X-Forwarded-For: nginx passes it on, appending
    // the address it saw, and the node must take only that.
    const ws = new WebSocket(`wss://127.0.0.1:${tlsPort}/`, {
      ca,
      localAddress: '127.0.0.2',
      origin: 'https://evil.example',
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('a foreign origin was let in')));
      ws.once('error', reject);
    });
    assert.equal(status, 403);
    const logs = () => nodes.map((n) => n.output).join('');
    await until(() => logs().includes('refused 127.0.0.2 (Origin https://evil.example)'), `the log line (${logs()})`);
    assert.ok(!logs().includes('refused 198.51.100.9'));
  });

  it('plain HTTP is sent to https://', async () => {
    const res = await fetch(`http://127.0.0.1:${plainPort}/x?y=1`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), `https://127.0.0.1/x?y=1`);
    // And over TLS the nodes' own endpoints answer through nginx.
    const body = await new Promise<string>((resolve, reject) => {
      get(`https://127.0.0.1:${tlsPort}/readyz`, { ca }, (r) => {
        let text = '';
        r.on('data', (d) => (text += d)).on('end', () => resolve(`${r.statusCode} ${text}`));
      }).on('error', reject);
    });
    assert.equal(body.trim(), '200 ready');
  });
});
