// web-test-runner plugin: real WebSocket servers on 127.0.0.1 that browser tests steer through
// `executeServerCommand('ws', {...})`. Each test starts its own server, so test files can run in parallel.
import { createServer } from 'node:http';
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

async function startPlain(entry, port) {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, req) => {
    entry.connections++;
    entry.urls.push(req.url);
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

async function stop(entry) {
  if (!entry.http) return;
  for (const ws of entry.live) ws.terminate();
  for (const s of entry.sockets) s.destroy();
  entry.live.clear();
  await new Promise((resolve) => entry.wss.close(() => resolve()));
  await new Promise((resolve) => entry.http.close(() => resolve()));
  entry.http = null;
}

function stall(entry) {
  entry.stalled = true;
  // Stop reading from the TCP sockets: the browser's frames go unanswered, as with a half-open link.
  for (const s of entry.sockets) s.pause();
}

const actions = {
  async start(payload) {
    const entry = {
      id: nextId++,
      connections: 0,
      received: [],
      urls: [],
      live: new Set(),
      echo: payload.echo !== false,
      stalled: false,
    };
    await startPlain(entry, 0);
    servers.set(entry.id, entry);
    return { id: entry.id, port: entry.port, url: `ws://127.0.0.1:${entry.port}/` };
  },
  async drop(_p, entry) {
    const n = entry.live.size;
    for (const ws of entry.live) ws.terminate();
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
    if (!entry.http) await startPlain(entry, entry.port);
    entry.stalled = false;
    return { port: entry.port };
  },
  async refuse(p, entry) {
    await stop(entry);
    setTimeout(() => void actions.restart({}, entry).catch(() => {}), p.ms ?? 1000);
    return { refusingMs: p.ms ?? 1000 };
  },
  async stall(_p, entry) {
    stall(entry);
    return { stalled: true };
  },
  async stats(_p, entry) {
    return {
      connections: entry.connections,
      live: entry.live.size,
      received: entry.received,
      urls: entry.urls,
      listening: !!entry.http,
    };
  },
  async dispose(_p, entry) {
    await stop(entry);
    servers.delete(entry.id);
    return { disposed: true };
  },
};

export function wsServerPlugin() {
  return {
    name: 'ws-test-servers',
    async executeCommand({ command, payload }) {
      if (command !== 'ws') return undefined;
      const action = actions[payload?.action];
      if (!action) throw new Error(`unknown ws action ${payload?.action}`);
      if (payload.action === 'start') return action(payload);
      const entry = servers.get(payload.id);
      if (!entry) throw new Error(`no test server ${payload.id}`);
      return action(payload, entry);
    },
    async serverStop() {
      await Promise.all([...servers.values()].map(stop));
      servers.clear();
    },
  };
}
