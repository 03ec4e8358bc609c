// Echo servers for the peers, each on its own ephemeral 127.0.0.1 port: a real socket.io server, and
// just enough of the SignalR JSON hub protocol and the Phoenix channel (v2 JSON serializer) over `ws`
// for their clients to connect and receive. Every value a client sends comes back once.
import { createServer } from 'node:http';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';

const RS = '\x1e';

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

/** SignalR, JSON hub protocol, WebSockets transport without negotiation: handshake, then invocations. */
function signalr() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    let shaken = false;
    // The client closes a connection it has not heard from for 30 s.
    const ping = setInterval(() => ws.send(`{"type":6}${RS}`), 10_000);
    ws.on('close', () => clearInterval(ping));
    ws.on('message', (data) => {
      for (const text of data.toString().split(RS)) {
        if (!text) continue;
        const m = JSON.parse(text);
        if (!shaken) {
          shaken = true;
          ws.send(`{}${RS}`);
        } else if (m.type === 1) {
          ws.send(JSON.stringify({ type: 1, target: 'm', arguments: m.arguments }) + RS);
        }
      }
    });
  });
  return wss;
}

/** Phoenix channels, serializer 2.0.0: [join_ref, ref, topic, event, payload]; joins and heartbeats get an ok reply. */
function phoenix() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const [joinRef, ref, topic, event, payload] = JSON.parse(data.toString());
      if (event === 'phx_join' || event === 'heartbeat') {
        ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]));
      } else if (event !== 'phx_leave') {
        ws.send(JSON.stringify([null, null, topic, event, payload]));
      }
    });
  });
  return wss;
}

/** Starts them all; returns the URLs the page adapters use and a close(). */
export async function startPeerServers() {
  const http = createServer();
  const io = new SocketIoServer(http, { transports: ['websocket'], maxHttpBufferSize: 1e8 });
  io.on('connection', (socket) => socket.on('m', (v) => socket.emit('m', v)));
  const ioPort = await listen(http);
  const sr = signalr();
  const px = phoenix();
  await Promise.all([sr, px].map((w) => new Promise((r) => (w.address() ? r() : w.on('listening', r)))));
  return {
    urls: {
      socketio: `http://127.0.0.1:${ioPort}`,
      signalr: `http://127.0.0.1:${sr.address().port}/hub`,
      phoenix: `ws://127.0.0.1:${px.address().port}/socket`,
    },
    async close() {
      await new Promise((r) => io.close(r));
      for (const w of [sr, px]) {
        for (const c of w.clients) c.terminate();
        await new Promise((r) => w.close(r));
      }
    },
  };
}
