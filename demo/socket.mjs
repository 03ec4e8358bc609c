// The demo's WebSocket side: the real session server (echo + chat + ticker) on its own port, so the
// page stays up while it is stopped. "stop" closes the listener but keeps sessions (a network cut at
// the server); "restart" also loses every session, as a crashed process would.
import { createServer } from 'node:http';
import { attachEchoApp, createMetrics, createSessionServer } from '../dist/server/index.js';

export async function startDemoSocket({ host, lifetimeMs = 15000, checkMs = 17000, authenticate }) {
  let http = null;
  let sessions = null;
  let stopApp = () => {};
  let metrics = null;
  let port = 0;
  const sockets = new Set();

  async function createSessions() {
    sessions = createSessionServer({
      server: createServer(),
      unusedSessionLifetimeMs: lifetimeMs,
      checkUnusedSessionsMs: checkMs,
      ...(authenticate ? { authenticate } : {}),
      // The page is served from another port of the same machine.
      allowedOrigins: (origin) =>
        origin === undefined || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+$/.test(origin),
    });
    stopApp = attachEchoApp(sessions, { ticker: true });
    // The server's side of what the page broke; a restart starts from zero, as a new process's metrics do.
    metrics = await createMetrics();
    metrics.observe(sessions);
    sessions.on('session', (s) => console.log(`session ${s.id.slice(0, 6)}… created`));
    sessions.on('resume', (s, info) =>
      console.log(`session ${s.id.slice(0, 6)}… resumed after ${info.outageMs} ms, replayed ${info.replayed}`),
    );
    sessions.on('expire', (s) => console.log(`session ${s.id.slice(0, 6)}… expired`));
  }

  async function start() {
    if (http) return;
    http = createServer((_req, res) => res.writeHead(426).end('WebSocket only'));
    http.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    http.on('upgrade', (req, socket, head) => sessions.handleUpgrade(req, socket, head));
    await new Promise((resolve) => http.listen(port, host, resolve));
    port = http.address().port;
  }

  async function stop() {
    if (!http) return;
    for (const ws of sessions.wss.clients) ws.terminate();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => http.close(resolve));
    http = null;
  }

  await createSessions();
  await start();

  return {
    /** Prometheus text, as `--metrics` serves it; served by the page's server, so it answers while this one is stopped. */
    metrics: () => metrics.metrics(),
    info: () => ({
      url: `ws://${host === '0.0.0.0' ? 'localhost' : host}:${port}/`,
      protocol: 'session',
      listening: !!http,
    }),
    async control(action, params) {
      switch (action) {
        case 'drop':
          for (const ws of sessions.wss.clients) ws.terminate();
          return { dropped: true };
        case 'stop':
          await stop();
          return { listening: false };
        case 'start':
          await start();
          return { listening: true };
        case 'drain':
          sessions.drain({ afterMs: 1000, spreadMs: 2000 });
          setTimeout(() => sessions.endDrain(), 1000);
          return { draining: true };
        case 'restart': {
          await stop();
          stopApp();
          await sessions.close();
          await createSessions();
          const ms = Math.min(Number(params.ms) || 3000, 60000);
          setTimeout(() => void start(), ms);
          return { restartingInMs: ms, sessionsLost: true };
        }
        default:
          return null;
      }
    },
    async close() {
      stopApp();
      await stop();
      await sessions.close();
    },
  };
}
