/** Server options: defaults, and ranges checked before anything listens (one-line errors naming the option). */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { defaultMaxConnections } from './connection-gate.js';
import type { Authenticate } from './auth.js';
import type { OriginPolicy } from './origin.js';
import type { SessionStore } from './store/session-store.js';

export interface SessionServerOptions {
  /** Port to listen on (0 = any free one) when no `server` is given. */
  port?: number;
  host?: string;
  /** An existing HTTP server to share; only upgrades on `path` are taken. */
  server?: Server;
  /** Only upgrades to this path are handled; all paths when absent. */
  path?: string;
  /** Answers plain HTTP requests on the server the library creates (default: 426, WebSocket only). */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  unusedSessionLifetimeMs?: number;
  checkUnusedSessionsMs?: number;
  /** Unacknowledged messages one session keeps for a resume. */
  maxReplayMessages?: number;
  maxReplayBytes?: number;
  /** Unacknowledged bytes kept across all sessions together. */
  maxTotalReplayBytes?: number;
  /**
   * At a replay bound: `refuse` (default) makes `session.send()` throw, so the application knows at once;
   * `evict` drops the oldest message, and a client that had not received it gets `replay-gap`.
   */
  replayOverflow?: 'refuse' | 'evict';
  maxFrameBytes?: number;
  maxSessions?: number;
  /** Sessions created from one client address (an IPv6 /64 counts as one) that are alive at once. */
  maxSessionsPerAddress?: number;
  /** Open connections (before and after the upgrade) from one client address. */
  maxConnectionsPerAddress?: number;
  /**
   * WebSockets held at once from all addresses (default: four fifths of the process's descriptor limit, at most
   * 100,000). At the bound the oldest socket that has not said hello is cut to make room; with none, upgrades get 503.
   */
  maxConnections?: number;
  /** Bytes written to a socket and not yet taken by the client; past this the server stops writing until it drains. */
  maxSocketBufferedBytes?: number;
  /** A socket with data the client has neither acknowledged nor taken for this long is a dead link: terminated, the session kept. */
  ackTimeoutMs?: number;
  /**
   * Default: no Origin header (non-browser clients), or an Origin equal to the Host header when that host is an IP
   * address or `localhost` (a domain name could be rebound to this server; list such origins explicitly).
   */
  allowedOrigins?: OriginPolicy;
  /**
   * Whether the client address comes from `X-Forwarded-For`: `false` (default, the socket's address), `true`
   * (the first address in it), or a number N of trusted proxies in front (the Nth address from the right).
   */
  trustProxy?: boolean | number;
  ackDelayMs?: number;
  /** WebSocket-level pings; a socket that misses one is terminated so its session counts as unused. */
  pingIntervalMs?: number;
  helloTimeoutMs?: number;
  /** How long a socket the server closes may wait for the client's close frame before it is cut. */
  closeTimeoutMs?: number;
  /** For the HTTP server the library creates: time allowed for a request's headers. */
  headersTimeoutMs?: number;
  /**
   * Wrong resume tokens for one session from one client address per minute; past it each further wrong token is
   * answered (with a new session, as any wrong token is) only after `badTokenDelayMs`. The right token always resumes.
   */
  maxBadTokensPerMinute?: number;
  badTokenDelayMs?: number;
  /**
   * Where sessions are kept so they survive a restart and move between nodes (see docs/operations.md). Without
   * one (the default) sessions live in this process only.
   */
  store?: SessionStore;
  /** Shorthand for `store: new RedisStore(url)`; the server closes that store when it closes. */
  redis?: string;
  /** This node's name in the store (default: random per server). */
  nodeId?: string;
  /** With a store: how long an attached session's lease in the store lasts if this node dies (renewed every third). */
  leaseMs?: number;
  /**
   * Checks the credential of every hello (new session or resume, on whichever node takes it) and of every refresh;
   * see docs/auth.md. A session belongs to the user it was created for. Without it, sessions are anonymous.
   */
  authenticate?: Authenticate;
  /** How long `authenticate` may take before the hello or refresh is refused (4401). */
  authTimeoutMs?: number;
  now?: () => number;
}

export type ResolvedOptions = Required<
  Omit<
    SessionServerOptions,
    | 'server'
    | 'path'
    | 'allowedOrigins'
    | 'host'
    | 'port'
    | 'trustProxy'
    | 'requestListener'
    | 'store'
    | 'redis'
    | 'nodeId'
    | 'authenticate'
  >
> & { trustProxy: number };

const DAY = 86_400_000;
/** setTimeout's largest delay: beyond it Node fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

type Range = [min: number, max: number, fallback: number];
const RANGES: Record<string, Range> = {
  unusedSessionLifetimeMs: [0, 30 * DAY, 15_000],
  checkUnusedSessionsMs: [10, MAX_TIMER_MS, 17_000],
  // 1 MiB over 32 B, about the smallest msg frame: for any ordinary burst the byte bound is the one that bites.
  maxReplayMessages: [1, 10_000_000, 32_768],
  maxReplayBytes: [1, 2 ** 30, 1_048_576],
  maxTotalReplayBytes: [1, 2 ** 40, 128 * 1_048_576],
  maxFrameBytes: [256, 256 * 1_048_576, 1_048_576],
  maxSessions: [1, 10_000_000, 10_000],
  maxSessionsPerAddress: [1, 10_000_000, 256],
  maxConnectionsPerAddress: [1, 10_000_000, 256],
  maxConnections: [1, 10_000_000, defaultMaxConnections()],
  maxSocketBufferedBytes: [1024, 2 ** 30, 262_144],
  ackTimeoutMs: [100, MAX_TIMER_MS, 30_000],
  ackDelayMs: [0, 60_000, 20],
  pingIntervalMs: [100, MAX_TIMER_MS, 30_000],
  helloTimeoutMs: [10, 600_000, 10_000],
  closeTimeoutMs: [1, 600_000, 2000],
  headersTimeoutMs: [100, 600_000, 10_000],
  maxBadTokensPerMinute: [0, 10_000_000, 20],
  badTokenDelayMs: [0, 60_000, 1000],
  leaseMs: [300, 3_600_000, 10_000],
  authTimeoutMs: [10, 600_000, 5000],
};

function checked(name: string, value: unknown): number {
  const [min, max, fallback] = RANGES[name]!;
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`createSessionServer: ${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: SessionServerOptions): ResolvedOptions {
  const o = options as Record<string, unknown>;
  const numbers = Object.fromEntries(Object.keys(RANGES).map((name) => [name, checked(name, o[name])]));
  const overflow = options.replayOverflow ?? 'refuse';
  if (overflow !== 'refuse' && overflow !== 'evict') {
    throw new RangeError(`createSessionServer: replayOverflow must be 'refuse' or 'evict', not ${String(overflow)}`);
  }
  const trust = options.trustProxy ?? false;
  let trustProxy: number;
  if (trust === false) trustProxy = 0;
  else if (trust === true) trustProxy = Infinity;
  else if (Number.isInteger(trust) && trust >= 0 && trust <= 100) trustProxy = trust;
  else
    throw new RangeError(
      `createSessionServer: trustProxy must be true, false or a count of proxies, not ${String(trust)}`,
    );
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RangeError(`createSessionServer: port must be an integer from 0 to 65535, not ${String(options.port)}`);
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    throw new RangeError(`createSessionServer: path must start with '/', not ${JSON.stringify(options.path)}`);
  }
  const origins = options.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function' && !Array.isArray(origins)) {
    throw new TypeError('createSessionServer: allowedOrigins must be an array of origins or a function');
  }
  if (options.requestListener !== undefined && typeof options.requestListener !== 'function') {
    throw new TypeError('createSessionServer: requestListener must be a function');
  }
  if (options.store !== undefined && options.redis !== undefined) {
    throw new TypeError('createSessionServer: give store or redis, not both');
  }
  if (options.redis !== undefined && (typeof options.redis !== 'string' || !/^rediss?:\/\//.test(options.redis))) {
    throw new RangeError(
      `createSessionServer: redis must be a redis:// or rediss:// URL, not ${String(options.redis)}`,
    );
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new TypeError('createSessionServer: authenticate must be a function (request, credential) => {user} | null');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('createSessionServer: now must be a function');
  }
  return {
    ...(numbers as Omit<ResolvedOptions, 'replayOverflow' | 'trustProxy' | 'now'>),
    replayOverflow: overflow,
    trustProxy,
    now: options.now ?? Date.now,
  };
}
