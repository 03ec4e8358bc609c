// Hostile load for tests: N sessions spread over A loopback addresses (127.0.0.2…), each posting C chats of
// S characters, then never reading again. Prints "ready" once all said hello, "sent" once all chats are out.
import { WebSocket } from 'ws';

const [url, n, addresses, chats, size] = process.argv.slice(2);
const text = 'x'.repeat(Number(size));
const sockets = [];
await Promise.all(
  Array.from({ length: Number(n) }, (_, i) => {
    const ws = new WebSocket(url, { localAddress: `127.0.0.${2 + (i % Number(addresses))}` });
    sockets.push(ws);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 })));
      ws.once('message', () => resolve());
    });
  }),
);
console.log('ready');
for (const ws of sockets) ws._socket.pause();
await Promise.all(
  sockets.map(
    (ws) =>
      new Promise((resolve) => {
        for (let seq = 1; seq <= Number(chats); seq++)
          ws.send(JSON.stringify({ t: 'msg', seq, d: { chat: text } }), seq === Number(chats) ? resolve : undefined);
      }),
  ),
);
console.log('sent');
setInterval(() => {}, 60_000);
