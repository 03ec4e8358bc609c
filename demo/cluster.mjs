// Demo of sessions that move between nodes: a private redis-server (if installed), two server nodes in child
// processes, and a small balancer that serves the page and passes each WebSocket to a live node. Kill a node from
// the page (SIGKILL) and watch the page resume on the other one with nothing lost. Loopback only.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, startPrivateRedis } from '../scripts/private-redis.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8000' },
    redis: { type: 'string', default: process.env.REDIS_URL },
  },
});
const port = Number(values.port);

const children = new Set();
let redisUrl = values.redis;
let privateRedis = null;
if (!redisUrl) {
  privateRedis = await startPrivateRedis();
  if (!privateRedis) {
    console.error(
      'demo:cluster needs Redis: install redis-server (Debian: apt-get install redis-server) or pass --redis URL',
    );
    process.exit(1);
  }
  redisUrl = privateRedis.url;
}

const nodes = [];
for (const name of ['A', 'B']) nodes.push({ name, port: await freePort(), child: null, connections: 0 });

function start(node) {
  if (node.child) return;
  const child = spawn(
    process.execPath,
    [join(root, 'dist/server/cli.js'), '--port', String(node.port), '--redis', redisUrl, '--node-id', node.name],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  node.child = child;
  children.add(child);
  child.on('exit', () => {
    children.delete(child);
    if (node.child === child) node.child = null;
  });
}
for (const node of nodes) start(node);
await new Promise((resolve) => setTimeout(resolve, 800));

let next = 0;
/** Passes an upgrade's raw bytes to the first live node, taking turns. */
function route(req, socket, head, tried = 0) {
  if (tried >= nodes.length) return socket.destroy();
  const node = nodes[(next + tried) % nodes.length];
  const upstream = connect(node.port, '127.0.0.1');
  upstream.once('error', () => {
    if (!upstream.connected) route(req, socket, head, tried + 1);
    else socket.destroy();
  });
  upstream.once('connect', () => {
    upstream.connected = true;
    next = (next + tried + 1) % nodes.length;
    node.connections++;
    const headers = Object.entries(req.headersDistinct ?? {}).flatMap(([k, vs]) => vs.map((v) => `${k}: ${v}`));
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', () => {
      node.connections--;
      end();
    });
  });
}

const http = createHttpServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const m = /^\/control\/(kill|start)\/([AB])$/.exec(url.pathname);
  if (req.method === 'POST' && m) {
    const node = nodes.find((n) => n.name === m[2]);
    if (m[1] === 'kill') node.child?.kill('SIGKILL');
    else start(node);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  if (url.pathname === '/nodes') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(nodes.map((n) => ({ name: n.name, up: n.child !== null, connections: n.connections }))));
    return;
  }
  const files = {
    '/': 'demo/cluster.html',
    '/dist/bundle/reconnecting-session.min.js': 'dist/bundle/reconnecting-session.min.js',
  };
  if (!files[url.pathname]) return void res.writeHead(404).end('not found');
  const body = await readFile(join(root, files[url.pathname]));
  res
    .writeHead(200, {
      'content-type': url.pathname === '/' ? 'text/html' : 'text/javascript',
      'cache-control': 'no-store',
    })
    .end(body);
});
http.on('upgrade', route);
http.listen(port, '127.0.0.1', () => {
  console.log(
    `demo:cluster: http://127.0.0.1:${http.address().port}/ (Redis ${redisUrl}, nodes A :${nodes[0].port}, B :${nodes[1].port})`,
  );
});

function stop() {
  for (const child of children) child.kill('SIGKILL');
  privateRedis?.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
