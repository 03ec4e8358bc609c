// The session server alone in its own process (started with --expose-gc), so its heap is its own:
// the parent's clients and the bench's bookkeeping are not in it. Answers `heap` and `drop` over IPC.
import { createSessionServer } from '../dist/server/index.js';

const server = createSessionServer({
  port: 0,
  host: '127.0.0.1',
  maxSessions: 100_000,
  maxSessionsPerAddress: 10_000_000,
  maxConnectionsPerAddress: 10_000_000,
});
await server.ready;
process.on('message', (m) => {
  if (m.cmd === 'heap') {
    for (let i = 0; i < 3; i++) globalThis.gc();
    process.send({ heapUsed: process.memoryUsage().heapUsed });
  } else if (m.cmd === 'drop') {
    // A network failure for every client at once (1006 on their side), sessions kept for a resume.
    for (const ws of server.wss.clients) ws.terminate();
    process.send({ dropped: true });
  } else if (m.cmd === 'close') {
    server.close().then(() => process.exit(0));
  }
});
process.send({ port: server.port });
