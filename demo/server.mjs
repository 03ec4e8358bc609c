// Demo: serves the page and runs a WebSocket server that the page can cut, stop and start.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDemoSocket } from './socket.mjs';
import { guestTokens } from './tokens.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    'token-ttl': { type: 'string', default: '60' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(1);
}

const ttlSeconds = Number(values['token-ttl']);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2 || ttlSeconds > 86400) {
  console.error(`--token-ttl must be a number of seconds from 2 to 86400, not ${values['token-ttl']}`);
  process.exit(1);
}
const tokens = guestTokens({ ttlSeconds });

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.css': 'text/css',
  '.json': 'application/json',
};
const socket = await startDemoSocket({ host: values.host, authenticate: tokens.authenticate });

const http = createServer(async (req, res) => {
  let url;
  try {
    // A path-only target: '//x:99999/' must be a bad request, not an unhandled rejection that ends the demo.
    url = new URL(`http://localhost${(req.url ?? '/').startsWith('/') ? req.url : '/'}`);
  } catch {
    res.writeHead(400).end('bad request');
    return;
  }
  if (await tokens.handle(req, res)) return;
  if (req.method === 'POST' && url.pathname.startsWith('/control/')) {
    const result = await socket.control(url.pathname.slice('/control/'.length), Object.fromEntries(url.searchParams));
    res
      .writeHead(result ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(result ?? { error: 'unknown control' }));
    return;
  }
  if (url.pathname === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(await socket.metrics());
    return;
  }
  if (url.pathname === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(socket.info()));
    return;
  }
  const path = url.pathname === '/' ? '/demo/index.html' : url.pathname;
  const file = normalize(join(root, path));
  const allowed = [join(root, 'demo'), join(root, 'dist')];
  if (!allowed.some((dir) => file.startsWith(dir + '/'))) {
    res.writeHead(404).end('not found');
    return;
  }
  try {
    const body = await readFile(file);
    res
      .writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});

// A busy port is an everyday mistake: one line saying what to do, not a stack trace.
http.on('error', async (error) => {
  const where = `${values.host}:${port}`;
  console.error(
    error.code === 'EADDRINUSE'
      ? `reconnecting-session demo: port ${port} is busy; pick another with PORT=${port + 1} npm start (or --port ${port + 1}).`
      : `reconnecting-session demo: cannot listen on ${where}: ${error.message}`,
  );
  await socket.close();
  process.exit(1);
});

http.listen(port, values.host, () => {
  console.log(
    `reconnecting-session demo: http://${values.host === '0.0.0.0' ? 'localhost' : values.host}:${http.address().port}/`,
  );
  console.log(`  WebSocket server: ${socket.info().url} (stop/start it from the page)`);
  console.log(`  guest tokens expire after ${ttlSeconds} s and are refreshed over the open socket`);
});

const shutdown = async () => {
  await socket.close();
  http.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
