// Clients for bench/attacks.mjs, in their own process so the server's heap is measured alone.
// Usage: node bench/attack-clients.mjs URL COUNT MODE   (MODE: idle | deaf | chat)
import { WebSocket } from 'ws';

const [url, countText, mode] = process.argv.slice(2);
const count = Number(countText);
const sockets = [];

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ t: 'hello', v: 1, ack: 0 }));
      ws.once('message', () => resolve(ws));
    });
  });
}

for (let i = 0; i < count; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, open));
  sockets.push(...batch);
}
// Deaf clients stop reading: the kernel's buffers fill, then the server's.
if (mode === 'deaf') for (const ws of sockets) ws._socket.pause();
console.log('ready');

process.stdin.on('data', (line) => {
  const command = line.toString().trim();
  if (command === 'chat') {
    const attacker = sockets[0];
    // 1.2 MB of chat from one client, fanned out by the example app to every session.
    for (let seq = 1; seq <= 600; seq++)
      attacker.send(JSON.stringify({ t: 'msg', seq, d: { chat: 'z'.repeat(2000) } }));
    console.log('sent');
  }
  if (command === 'exit') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
