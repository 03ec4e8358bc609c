#!/usr/bin/env node
/** reconnecting-session-server: runs the session server with the example echo/chat app. */
import { parseArgs } from 'node:util';
import { attachEchoApp } from './echo-app.js';
import { createSessionServer } from './session-server.js';

const usage = `Usage: reconnecting-session-server [options]
  --port N                      port to listen on (default 8000; 0 = any free port)
  --host HOST                   address to bind (default 127.0.0.1)
  --path PATH                   only accept WebSocket upgrades on PATH
  --unused-session-lifetime MS  expire sessions unused this long (default 15000)
  --check-unused-sessions MS    how often to look for unused sessions (default 17000)
  --allow-origin ORIGIN         allow browser pages from ORIGIN (repeatable; default: same host)
  --drain-spread MS             on SIGTERM, tell clients to come back spread over MS (default 5000)
  --redis URL                   keep sessions in Redis (redis://host:port) so they survive restarts and move
                                between nodes (see docs/operations.md); default: in this process only
  --node-id NAME                this node's name in Redis (default: random)
  --ticker                      send {tick} to every connected session each second
  --help`;

function fail(message: string): never {
  console.error(`reconnecting-session-server: ${message}\n${usage}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max)
    fail(`--${name} must be an integer from 0 to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string' },
      'unused-session-lifetime': { type: 'string' },
      'check-unused-sessions': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'drain-spread': { type: 'string' },
      redis: { type: 'string' },
      'node-id': { type: 'string' },
      ticker: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const day = 24 * 60 * 60 * 1000;
if (args.redis !== undefined && !/^rediss?:\/\//.test(args.redis))
  fail(`--redis must be a redis:// or rediss:// URL, not ${JSON.stringify(args.redis)}`);
const server = createSessionServer({
  ...(args.redis ? { redis: args.redis } : {}),
  ...(args['node-id'] ? { nodeId: args['node-id'] } : {}),
  port: integer('port', args.port, 8000, 65535),
  host: args.host,
  ...(args.path ? { path: args.path } : {}),
  unusedSessionLifetimeMs: integer('unused-session-lifetime', args['unused-session-lifetime'], 15_000, day),
  checkUnusedSessionsMs: Math.max(1, integer('check-unused-sessions', args['check-unused-sessions'], 17_000, day)),
  ...(args['allow-origin'] ? { allowedOrigins: args['allow-origin'] } : {}),
});
attachEchoApp(server, { ticker: args.ticker });
server.on('error', (error) => console.error(`reconnecting-session-server: ${error.message}`));

try {
  await server.ready;
} catch (error) {
  fail(`cannot listen: ${(error as Error).message}`);
}
console.log(
  `reconnecting-session-server listening on ws://${args.host}:${server.port}${args.path ?? '/'}` +
    (server.nodeId ? ` (node ${server.nodeId}, sessions in Redis)` : ''),
);

const drainSpreadMs = integer('drain-spread', args['drain-spread'], 5000, day);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
// A deploy stops the process with SIGTERM: spread the clients' return instead of having them all come back at once.
process.on('SIGTERM', () => {
  server.drain({ afterMs: 1000, spreadMs: drainSpreadMs });
  stop();
});
