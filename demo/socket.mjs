// The demo's WebSocket side: an echo + ticker server on its own port, so the page stays up while it is stopped.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

export async function startDemoSocket({ host }) {
  let http = null;
  let wss = null;
  let port = 0;
  let tick = 0;
  const sockets = new Set();

  async function start() {
    if (http) return;
    http = createServer((_req, res) => res.writeHead(426).end('WebSocket only'));
    http.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.send(data, { binary: true });
        ws.send(JSON.stringify({ echo: data.toString(), at: Date.now() }));
      });
    });
    await new Promise((resolve) => http.listen(port, host, resolve));
    port = http.address().port;
  }

  async function stop() {
    if (!http) return;
    for (const ws of wss.clients) ws.terminate();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
    http = null;
  }

  const ticker = setInterval(() => {
    tick++;
    for (const ws of wss?.clients ?? []) if (ws.readyState === 1) ws.send(JSON.stringify({ tick, at: Date.now() }));
  }, 1000);
  ticker.unref();

  await start();

  return {
    info: () => ({
      url: `ws://${host === '0.0.0.0' ? 'localhost' : host}:${port}/`,
      protocol: 'plain',
      listening: !!http,
    }),
    async control(action, params) {
      switch (action) {
        case 'drop':
          for (const ws of wss?.clients ?? []) ws.terminate();
          return { dropped: true };
        case 'stop':
          await stop();
          return { listening: false };
        case 'start':
          await start();
          return { listening: true };
        case 'restart': {
          await stop();
          const ms = Math.min(Number(params.ms) || 3000, 60000);
          setTimeout(() => void start(), ms);
          return { restartingInMs: ms };
        }
        default:
          return null;
      }
    },
    async close() {
      clearInterval(ticker);
      await stop();
    },
  };
}
