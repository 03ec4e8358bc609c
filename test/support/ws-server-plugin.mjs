// web-test-runner plugin: real WebSocket servers on 127.0.0.1 that browser tests steer through
// `executeServerCommand('ws', {...})`. Each test starts its own server, so test files can run in parallel.
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { WebSocketServer } from 'ws';

const servers = new Map();
let nextId = 1;

function listen(http, port) {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve(http.address().port);
    });
  });
}

const BEARER = 'base64url.bearer.';

/** The credential a page offered as a bearer subprotocol (plain mode's `auth`), decoded; null without one. */
function bearerCredential(req) {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER));
  return bearer === undefined ? null : Buffer.from(bearer.slice(BEARER.length), 'base64url').toString();
}

async function startPlain(entry, port) {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // As docs/auth.md tells a plain server: select the application's protocol, never echo the credential back.
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: (protocols) => [...protocols].find((p) => !p.startsWith(BEARER)) ?? false,
  });
  wss.on('connection', (ws, req) => {
    entry.connections++;
    entry.urls.push(req.url);
    const credential = bearerCredential(req);
    entry.upgrades.push({
      credential,
      protocols: req.headers['sec-websocket-protocol'] ?? null,
      selected: ws.protocol,
    });
    // `accept` set: a socket without one of those credentials is refused as a stale one is, after the upgrade.
    if (entry.accept && !entry.accept.includes(credential)) return ws.close(4401, 'stale credential');
    entry.live.add(ws);
    ws.on('close', () => entry.live.delete(ws));
    ws.on('message', (data, isBinary) => {
      const value = isBinary ? { binary: [...new Uint8Array(data)] } : data.toString();
      entry.received.push(value);
      if (entry.echo && !entry.stalled) ws.send(isBinary ? data : data.toString(), { binary: isBinary });
    });
  });
  entry.port = await listen(http, port);
  entry.http = http;
  entry.wss = wss;
  entry.sockets = sockets;
}

// Session mode: the real SessionServer (from dist/, built by `npm test`) behind an HTTP server the
// plugin owns, so "stop" closes the listener while sessions live on, as when a network path fails.
/** `testUsers: true`: credentials `user:<name>` (good until revoked) and `expires:<name>:<ms>`; anything else refused. */
const revoked = new Set();
function testAuthenticate(_req, credential) {
  if (revoked.has(credential)) return null;
  const [kind, user, ms] = (credential ?? '').split(':');
  if (kind === 'user' && user) return { user };
  if (kind === 'expires' && user) return { user, expiresAt: Date.now() + Number(ms) };
  return null;
}

async function startSession(entry, port) {
  const { createSessionServer } = await import('../../dist/server/index.js');
  const http = createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  if (!entry.server) {
    const { testUsers, ...options } = entry.options ?? {};
    const server = createSessionServer({
      server: http,
      allowedOrigins: (origin) => origin === undefined || /^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(origin),
      ...(testUsers ? { authenticate: testAuthenticate } : {}),
      ...options,
    });
    server.on('session', (session) => {
      const record = { session, received: [] };
      entry.sessions.set(session.id, record);
      session.on('message', (data) => {
        record.received.push(data instanceof Uint8Array ? { binary: [...data] } : data);
        if (entry.echo && !entry.stalled) session.send({ echo: data });
      });
    });
    server.on('expire', (session) => entry.expired.push(session.id));
    server.on('error', () => {});
    server.wss.on('connection', (ws, req) => {
      entry.connections++;
      entry.urls.push(req.url);
      entry.live.add(ws);
      ws.on('close', () => entry.live.delete(ws));
    });
    entry.server = server;
  } else {
    // Re-attach the same SessionServer (and its sessions) to the new listener.
    http.on('upgrade', (req, socket, head) => entry.server.handleUpgrade(req, socket, head));
  }
  entry.port = await listen(http, port);
  entry.http = http;
  entry.wss = entry.server.wss;
  entry.sockets = sockets;
}

function sessionRecord(entry, sid) {
  const record = sid ? entry.sessions.get(sid) : [...entry.sessions.values()].at(-1);
  if (!record) throw new Error(`no session ${sid ?? '(latest)'}`);
  return record;
}

async function stop(entry) {
  if (!entry.http) return;
  for (const ws of entry.live) ws.terminate();
  for (const s of entry.sockets) s.destroy();
  entry.live.clear();
  if (!entry.server) await new Promise((resolve) => entry.wss.close(() => resolve()));
  await new Promise((resolve) => entry.http.close(() => resolve()));
  entry.http = null;
}

function stall(entry) {
  entry.stalled = true;
  // Stop reading: the browser's frames go unanswered, as over a half-open link. ws.pause() also keeps
  // ws from resuming the socket by itself.
  for (const ws of entry.live) ws.pause();
}

/** On close ws would still process what a paused socket buffered; frames stuck in a dead link are lost instead. */
function discardUnread(ws) {
  const socket = ws._socket;
  if (!socket) return;
  socket.removeAllListeners('data');
  while (socket.read() !== null);
}

const actions = {
  async start(payload) {
    const entry = {
      mode: payload.mode ?? 'plain',
      options: payload.options ?? {},
      sessions: new Map(),
      expired: [],
      server: null,
      id: nextId++,
      connections: 0,
      received: [],
      urls: [],
      upgrades: [],
      accept: payload.accept ?? null,
      live: new Set(),
      echo: payload.echo !== false,
      stalled: false,
    };
    await (entry.mode === 'session' ? startSession : startPlain)(entry, 0);
    servers.set(entry.id, entry);
    return { id: entry.id, port: entry.port, url: `ws://127.0.0.1:${entry.port}/` };
  },
  async drop(_p, entry) {
    const n = entry.live.size;
    for (const ws of entry.live) {
      if (entry.stalled) discardUnread(ws);
      ws.terminate();
    }
    return { dropped: n };
  },
  async close(p, entry) {
    for (const ws of entry.live) ws.close(p.code ?? 1000, p.reason ?? '');
    return { closed: entry.live.size };
  },
  async send(p, entry) {
    for (const ws of entry.live) ws.send(p.data);
    return { sent: entry.live.size };
  },
  async stop(_p, entry) {
    await stop(entry);
    return { stopped: true };
  },
  async restart(_p, entry) {
    if (!entry.http) await (entry.mode === 'session' ? startSession : startPlain)(entry, entry.port);
    for (const sock of entry.sockets) sock.resume();
    entry.stalled = false;
    return { port: entry.port };
  },
  async refuse(p, entry) {
    await stop(entry);
    // Tracked so that disposing the server first cancels it: it must not listen again after the test.
    clearTimeout(entry.refuseTimer);
    entry.refuseTimer = setTimeout(() => void actions.restart({}, entry).catch(() => {}), p.ms ?? 1000);
    return { refusingMs: p.ms ?? 1000 };
  },
  /** Plain mode: the bearer credentials the server takes from now on (others get 4401). */
  async accept(p, entry) {
    entry.accept = p.credentials;
    return { accepting: entry.accept.length };
  },
  async stall(_p, entry) {
    stall(entry);
    return { stalled: true };
  },
  /**
   * Page→server dead, server→page alive: the server stops reading the sockets open now (no client
   * message or ack reaches its session) but keeps writing to them. Sockets opened later are normal.
   */
  async deafen(_p, entry) {
    for (const ws of entry.live) ws.pause();
    return { deafened: entry.live.size };
  },
  /** Session mode: the latest session sends `{tick: n}` every `ms` until the server is disposed. */
  async chatter(p, entry) {
    const { session } = sessionRecord(entry);
    let n = 0;
    clearInterval(entry.chatterTimer);
    entry.chatterTimer = setInterval(() => {
      if (!session.closed) session.send({ tick: ++n });
    }, p.ms ?? 50);
    return { chattering: true };
  },
  async stats(_p, entry) {
    return {
      connections: entry.connections,
      live: entry.live.size,
      received: entry.received,
      urls: entry.urls,
      upgrades: entry.upgrades,
      listening: !!entry.http,
    };
  },
  // Session mode only, from here on.
  async sessionSend(p, entry) {
    const { session } = sessionRecord(entry, p.sid);
    const seqs = [];
    for (let i = 1; i <= (p.count ?? 1); i++) seqs.push(session.send(p.count ? { n: i, of: p.count } : p.data));
    return { seqs };
  },
  async sessions(_p, entry) {
    return [...entry.sessions.values()].map(({ session, received }) => ({
      id: session.id,
      connected: session.connected,
      blocked: session.blocked,
      received,
    }));
  },
  async expired(_p, entry) {
    return entry.expired;
  },
  async block(p, entry) {
    sessionRecord(entry, p.sid).session.blockExpiration(p.maxMs ? { maxMs: p.maxMs } : undefined);
    return { blocked: true };
  },
  async unblock(p, entry) {
    sessionRecord(entry, p.sid).session.unblockExpiration();
    return { blocked: false };
  },
  async closeSession(p, entry) {
    sessionRecord(entry, p.sid).session.close();
    return { closed: true };
  },
  async drain(p, entry) {
    entry.server.drain({ afterMs: p.afterMs, spreadMs: p.spreadMs });
    return { drained: true };
  },
  async endDrain(_p, entry) {
    entry.server.endDrain();
    return { draining: false };
  },
  async createSession(_p, entry) {
    return entry.server.createSession();
  },
  async sweep(_p, entry) {
    return entry.server.sweep();
  },
  /** A server process restart: every session is gone, the port stays. */
  async crash(_p, entry) {
    await stop(entry);
    await entry.server.close();
    entry.server = null;
    entry.sessions.clear();
    await startSession(entry, entry.port);
    return { port: entry.port };
  },
  async dispose(_p, entry) {
    clearTimeout(entry.refuseTimer);
    clearInterval(entry.chatterTimer);
    await stop(entry);
    await entry.server?.close();
    servers.delete(entry.id);
    return { disposed: true };
  },
};

/** A TCP server that accepts connections and never answers: an attempt that hangs in CONNECTING. */
const blackholes = new Set();
/** Extra tabs opened by the `page` command, by id. */
const extraPages = new Map();
let extraPageIds = 0;
async function startBlackhole() {
  const sockets = new Set();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const entry = { server, sockets };
  blackholes.add(entry);
  return entry;
}
async function stopBlackhole(entry) {
  for (const s of entry.sockets) s.destroy();
  await new Promise((resolve) => entry.server.close(() => resolve()));
  blackholes.delete(entry);
}

export function wsServerPlugin() {
  return {
    name: 'ws-test-servers',
    async executeCommand({ command, payload, session }) {
      if (command === 'forced-colors') {
        // emulateMedia cannot do this with Chrome (puppeteer refuses the feature): ask DevTools directly.
        const page = session.browser.getPage(session.id);
        const cdp = await page.createCDPSession();
        await cdp.send('Emulation.setEmulatedMedia', {
          features: [{ name: 'forced-colors', value: payload?.active ? 'active' : 'none' }],
        });
        return true;
      }
      if (command === 'page') {
        // Another tab of the test's browser (Chromium only): freezing the test's own page would cut its link to
        // the runner, so the page under test is a second one, driven from here.
        const { action, id, url, ms, expression } = payload ?? {};
        if (action === 'open') {
          const page = await session.browser.getPage(session.id).browserContext().newPage();
          await page.goto(new URL(url, session.browser.getPage(session.id).url()).href);
          extraPages.set(++extraPageIds, page);
          return { id: extraPageIds };
        }
        const page = extraPages.get(id);
        if (!page) throw new Error(`no extra page ${id}`);
        // undefined or null would read as "no plugin handled this command".
        if (action === 'eval') return (await page.evaluate(expression)) ?? false;
        if (action === 'close') {
          extraPages.delete(id);
          await page.close();
          return true;
        }
        if (action === 'crash') {
          // The renderer dies as in a crash: no pagehide, no close frames; the browser releases its locks.
          const cdp = await page.createCDPSession();
          // The answer never comes: the page is gone before it can reply.
          void cdp.send('Page.crash').catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 100));
          extraPages.delete(id);
          void page.close().catch(() => {});
          return true;
        }
        if (action === 'hold') {
          // Frozen until `thaw`, so the test can watch the other tabs meanwhile.
          const cdp = (page.frozen = await page.createCDPSession());
          await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
          return true;
        }
        if (action === 'thaw') {
          await page.frozen?.send('Page.setWebLifecycleState', { state: 'active' });
          await page.frozen?.detach();
          page.frozen = null;
          return true;
        }
        if (action === 'front') {
          await page.bringToFront();
          return true;
        }
        if (action === 'throttle') {
          const cdp = await page.createCDPSession();
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: ms ?? 1 });
          return true;
        }
        if (action === 'freeze') {
          const cdp = await page.createCDPSession();
          await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
          await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, ms ?? 1000)));
          await cdp.send('Page.setWebLifecycleState', { state: 'active' });
          await cdp.detach();
          return true;
        }
        throw new Error(`unknown page action ${action}`);
      }
      if (command === 'blackhole') {
        const entry = await startBlackhole();
        // Closed by itself, so a test cannot leave it behind.
        setTimeout(() => void stopBlackhole(entry), payload?.ms ?? 30000).unref();
        return { url: `ws://127.0.0.1:${entry.server.address().port}/` };
      }
      if (command !== 'ws') return undefined;
      const action = actions[payload?.action];
      if (!action) throw new Error(`unknown ws action ${payload?.action}`);
      if (payload.action === 'start') return action(payload);
      const entry = servers.get(payload.id);
      if (!entry) throw new Error(`no test server ${payload.id}`);
      return action(payload, entry);
    },
    async serverStop() {
      await Promise.all(
        [...servers.values()].map(async (entry) => {
          clearInterval(entry.chatterTimer);
          await stop(entry);
          await entry.server?.close();
        }),
      );
      servers.clear();
      await Promise.all([...blackholes].map(stopBlackhole));
    },
  };
}
