#!/usr/bin/env node
/** reconnecting-session-server: runs the session server with the example echo/chat app. */
import { existsSync, statSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { attachEchoApp } from './echo-app.js';
import type { Authenticate } from './auth.js';
import { jwtAuthenticate, readJwtSecretFile } from './jwt-auth.js';
import { createLogger, type LogFormat } from './log.js';
import type { SessionServerMetrics } from './metrics.js';
import { opsHandler } from './ops-endpoints.js';
import { Readiness } from './readiness.js';
import { createSessionServer, type SessionServer } from './session-server.js';
import { staticFiles } from './static-files.js';
import { loadIoredis } from './store/ioredis.js';
import { RedisStore } from './store/redis-store.js';

const usage = `Usage: reconnecting-session-server [options]
  --port N                      port to listen on (default 8000; 0 = any free port)
  --host HOST                   address to bind (default 127.0.0.1)
  --path PATH                   only accept WebSocket upgrades on PATH (must start with /)
  --static DIR                  serve the pages in DIR over HTTP on the same port (same origin), and the
                                element's bundles at /reconnecting-session.min.js (module),
                                /reconnecting-session.iife.js (classic script) and
                                /reconnecting-session.no-overlay.min.js (module, no overlay)
  --allow-origin ORIGIN         allow browser pages from ORIGIN (repeatable; '*' allows all). Default: pages
                                served from this server's own address (an IP address or localhost)
  --trust-proxy N               take the client address from X-Forwarded-For, behind N proxies (default 0)
  --unused-session-lifetime MS  expire sessions unused this long (default 15000)
  --check-unused-sessions MS    how often to look for unused sessions (default 17000, at least 10)
  --max-sessions N              sessions held at once (default 10000)
  --max-sessions-per-address N  sessions one client address may hold (default 256)
  --max-connections-per-address N
                                open connections from one client address (default 256)
  --max-connections N           WebSockets held at once (default: four fifths of the open-file limit)
  --max-frame-bytes N           largest frame accepted (default 1048576)
  --drain-spread MS             on SIGTERM, tell clients to come back spread over MS (default 5000)
  --redis URL                   keep sessions in Redis (redis://host:port) so they survive restarts and move
                                between nodes (see docs/operations.md); default: in this process only
  --redis-cluster               the --redis URL is one node of a Redis Cluster (sessions spread over its masters)
  --node-id NAME                this node's name in Redis (default: random)
  --jwt-secret-file FILE        sign-in: every hello must carry an HS256 JWT signed with the secret in FILE (at
                                least 32 bytes; read once at start); its sub is the user, its exp ends the
                                credential (the client is asked for a fresh one ahead of it). See docs/auth.md
  --ticker                      send {tick} to every connected session each second
  --metrics                     serve Prometheus metrics at /metrics on the same port (needs prom-client)
  --metrics-port N              serve /metrics, /healthz and /readyz on a private port instead (implies --metrics)
  --metrics-host HOST           address for --metrics-port (default 127.0.0.1)
  --log-format text|json        log lines for a person (default) or one JSON object per line
                                /healthz (200 while serving) and /readyz (503 while draining or while the
                                session store does not answer) are always served on the main port
  --help`;

function fail(message: string): never {
  console.error(`reconnecting-session-server: ${message}\n${usage}`);
  process.exit(2);
}

const DAY = 86_400_000;
const numeric = {
  port: [0, 65535],
  'trust-proxy': [0, 100],
  'unused-session-lifetime': [0, 30 * DAY],
  'check-unused-sessions': [10, 2 ** 31 - 1],
  'max-sessions': [1, 10_000_000],
  'max-sessions-per-address': [1, 10_000_000],
  'max-connections-per-address': [1, 10_000_000],
  'max-connections': [1, 10_000_000],
  'max-frame-bytes': [256, 256 * 1_048_576],
  'drain-spread': [0, DAY],
  'metrics-port': [0, 65535],
} as const satisfies Record<string, readonly [number, number]>;
type NumericFlag = keyof typeof numeric;

function integer(name: NumericFlag, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = numeric[name];
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max)
    fail(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

// `--flag -1` would be read as two flags; join a negative number to its flag so the range check can name it.
const argv = process.argv.slice(2).flatMap((arg, i, all) => {
  const next = all[i + 1];
  if (arg.startsWith('--') && (arg.slice(2) as NumericFlag) in numeric && next !== undefined && /^-\d/.test(next))
    return [`${arg}=${next}`];
  return i > 0 && /^-\d/.test(arg) && (all[i - 1]!.slice(2) as NumericFlag) in numeric ? [] : [arg];
});

let args;
try {
  args = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(numeric).map((name) => [name, { type: 'string' as const }])),
      host: { type: 'string', default: '127.0.0.1' },
      path: { type: 'string' },
      static: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      redis: { type: 'string' },
      'redis-cluster': { type: 'boolean', default: false },
      'node-id': { type: 'string' },
      'jwt-secret-file': { type: 'string' },
      ticker: { type: 'boolean', default: false },
      metrics: { type: 'boolean', default: false },
      'metrics-host': { type: 'string', default: '127.0.0.1' },
      'log-format': { type: 'string', default: 'text' },
      help: { type: 'boolean', default: false },
    },
  }).values as Record<string, string | string[] | boolean | undefined>;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const flag = (name: NumericFlag) => integer(name, args[name] as string | undefined);
const port = flag('port') ?? 8000;
const drainSpreadMs = flag('drain-spread') ?? 5000;
const path = args.path as string | undefined;
if (path !== undefined && !path.startsWith('/')) fail(`--path must start with /, not ${JSON.stringify(path)}`);
const folder = args.static as string | undefined;
if (folder !== undefined && !(existsSync(folder) && statSync(folder).isDirectory()))
  fail(`--static ${JSON.stringify(folder)} is not a folder`);
// Beside dist/server/cli.js in the package; from src/ (run through tsx) the built one in dist/.
const bundleDir = ['../bundle/', '../../dist/bundle/']
  .map((dir) => fileURLToPath(new URL(dir, import.meta.url)))
  .find((dir) => existsSync(`${dir}reconnecting-session.min.js`));
const bundles = bundleDir
  ? Object.fromEntries(
      ['reconnecting-session.min.js', 'reconnecting-session.iife.js', 'reconnecting-session.no-overlay.min.js'].map(
        (name) => [`/${name}`, bundleDir + name],
      ),
    )
  : {};
const host = args.host as string;
const origins = args['allow-origin'] as string[] | undefined;
const redis = args.redis as string | undefined;
if (redis !== undefined && !/^rediss?:\/\//.test(redis))
  fail(`--redis must be a redis:// or rediss:// URL, not ${JSON.stringify(redis)}`);
if (args['redis-cluster'] && redis === undefined) fail('--redis-cluster needs --redis URL (any node of the cluster)');
if (redis !== undefined) {
  // ioredis is an optional peer dependency: say what to install before anything starts.
  try {
    await loadIoredis();
  } catch (error) {
    console.error(`reconnecting-session-server: --redis: ${(error as Error).message}`);
    process.exit(1);
  }
}
// The CLI owns the store (rather than passing `redis`) so that a cluster can be asked for; it closes it on exit.
const store = redis ? new RedisStore(redis, { cluster: args['redis-cluster'] === true }) : undefined;
const secretFile = args['jwt-secret-file'] as string | undefined;
let authenticate: Authenticate | undefined;
if (secretFile !== undefined) {
  // Read once: a rotation is a restart (a deploy), so a half-written file can never let every token fail.
  try {
    authenticate = jwtAuthenticate({ secret: readJwtSecretFile(secretFile) });
  } catch (error) {
    fail(`--jwt-secret-file: ${(error as Error).message.replace(/^jwtAuthenticate: /, '')}`);
  }
}
const nodeId = args['node-id'] as string | undefined;
const logFormat = args['log-format'] as string;
if (logFormat !== 'text' && logFormat !== 'json')
  fail(`--log-format must be text or json, not ${JSON.stringify(logFormat)}`);
const logger = createLogger(logFormat as LogFormat);
const metricsPort = flag('metrics-port');
let metrics: SessionServerMetrics | undefined;
if (args.metrics || metricsPort !== undefined) {
  try {
    metrics = await (await import('./metrics.js')).createMetrics();
  } catch (error) {
    fail((error as Error).message);
  }
}
let readiness: Readiness | undefined = undefined;
const ready = () => readiness!.check();
const ops = opsHandler({
  ready,
  ...(metrics && metricsPort === undefined ? { metrics } : {}),
});
const site: RequestListener =
  folder !== undefined
    ? staticFiles(folder, bundles)
    : (_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only');

let server: SessionServer;
try {
  server = createSessionServer({
    ...(store ? { store: metrics ? metrics.instrumentStore(store) : store } : {}),
    ...(nodeId ? { nodeId } : {}),
    port,
    host,
    ...(path ? { path } : {}),
    requestListener: (req, res) => {
      if (!ops(req, res)) site(req, res);
    },
    ...(origins ? { allowedOrigins: origins } : {}),
    ...(authenticate ? { authenticate } : {}),
    ...defined({
      trustProxy: flag('trust-proxy'),
      unusedSessionLifetimeMs: flag('unused-session-lifetime'),
      checkUnusedSessionsMs: flag('check-unused-sessions'),
      maxSessions: flag('max-sessions'),
      maxSessionsPerAddress: flag('max-sessions-per-address'),
      maxConnectionsPerAddress: flag('max-connections-per-address'),
      maxConnections: flag('max-connections'),
      maxFrameBytes: flag('max-frame-bytes'),
    }),
  });
} catch (error) {
  fail((error as Error).message);
}

function defined(o: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;
}

// The probe asks the store itself, so readiness probes do not show in the store metrics.
readiness = new Readiness(server, store);
metrics?.observe(server);
attachEchoApp(server, { ticker: args.ticker === true });
server.on('error', (error) =>
  logger.log('error', 'error', `reconnecting-session-server: ${error.message}`, { error: error.message }),
);
// A refused page must not fail silently: say who was refused, why, and the flag that lets it in.
server.on('reject', ({ status, reason, address, origin }) => {
  const hint =
    status === 403 && origin ? `; to allow this page start with --allow-origin ${JSON.stringify(origin)}` : '';
  logger.log(
    'warn',
    'refused',
    `reconnecting-session-server: refused ${address}${origin ? ` (Origin ${origin})` : ''}: ${status} ${reason}${hint}`,
    { status, reason, address, origin },
  );
});

try {
  await server.ready;
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port ${port} on ${host} is in use; pick another with --port N (0 = any free port)`);
  fail(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
}
const shown = host.includes(':') ? `[${host}]` : host;
const url = `ws://${shown}:${server.port}${path ?? '/'}`;
logger.log(
  'info',
  'listening',
  `reconnecting-session-server listening on ${url}` +
    (server.nodeId ? ` (node ${server.nodeId}, sessions in Redis${args['redis-cluster'] ? ' Cluster' : ''})` : '') +
    (authenticate ? ', JWT sign-in' : ''),
  {
    url,
    node: server.nodeId,
    auth: authenticate ? 'jwt' : 'none',
    store: store ? (args['redis-cluster'] ? 'redis-cluster' : 'redis') : 'memory',
  },
);
if (folder)
  logger.log('info', 'serving', `serving ${folder} at http://${shown}:${server.port}/`, {
    folder,
    url: `http://${shown}:${server.port}/`,
  });
const privateOps = metricsPort !== undefined ? await listenOps(metricsPort, args['metrics-host'] as string) : null;

/** The private listener: metrics and probes only, usually on 127.0.0.1 or a cluster-internal address. */
async function listenOps(port: number, opsHost: string) {
  const handle = opsHandler({ ready, metrics: metrics! });
  const http = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  http.headersTimeout = 10_000;
  http.requestTimeout = 20_000;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, opsHost, () => resolve());
    });
  } catch (error) {
    await server.close();
    fail(`cannot serve metrics on ${opsHost}:${port}: ${(error as Error).message}`);
  }
  const address = http.address() as { port: number };
  const where = `http://${opsHost.includes(':') ? `[${opsHost}]` : opsHost}:${address.port}/metrics`;
  logger.log('info', 'metrics', `metrics at ${where}`, { url: where });
  return http;
}

const stop = () =>
  void server
    .close()
    .then(() => privateOps?.close())
    .then(() => store?.close())
    .finally(() => process.exit(0));
process.on('SIGINT', stop);
// A deploy stops the process with SIGTERM: spread the clients' return instead of having them all come back at once.
process.on('SIGTERM', () => {
  server.drain({ afterMs: 1000, spreadMs: drainSpreadMs });
  stop();
});
