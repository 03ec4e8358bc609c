/**
 * Prometheus metrics for one session server, on a registry of its own (two servers in one process do not collide).
 * prom-client is an optional peer dependency, loaded by `createMetrics()`: a server without metrics never loads it.
 * Gauges and the message counters are read from the server when scraped, so the send path does no extra work.
 */
import type { IncomingMessage } from 'node:http';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { RejectInfo, SessionServer } from './session-server.js';
import { closeCodeSent } from './socket.js';
import { instrumentStore, type StoreObserver } from './instrumented-store.js';
import type { SessionStore } from './store/session-store.js';

type PromClient = typeof import('prom-client');

export const METRIC_PREFIX = 'reconnecting_session_';

/** Outages from a blink to a long sleep, in seconds. */
const OUTAGE_BUCKETS = [0.05, 0.25, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 900];
/** Store calls, from a local Redis to a struggling one, in seconds. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Close codes worth a label of their own; the rest (any 4000–4999 a client picks) share `other`. */
const KNOWN_CLOSE_CODES = new Set([1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1011, 1012, 1013, 1014]);
for (const code of [4000, 4001, 4002, 4401, 4403]) KNOWN_CLOSE_CODES.add(code);

async function loadPromClient(): Promise<PromClient> {
  try {
    const mod = (await import('prom-client')) as PromClient & { default?: PromClient };
    return mod.default ?? mod;
  } catch (cause) {
    const error = new Error('metrics need prom-client, an optional peer dependency: npm install prom-client', {
      cause,
    });
    Object.assign(error, { code: 'ERR_PROM_CLIENT_MISSING' });
    throw error;
  }
}

/** A refusal's reason as one of a few label values (the text carries numbers and settings). */
export function refusalReason({ status, reason }: RejectInfo): string {
  if (status === 4401 || status === 4403) return 'auth';
  if (status === 403) return 'origin';
  if (status === 404) return 'path';
  if (status === 429) return 'connections-per-address';
  if (reason.startsWith('maxConnections ')) return 'connections';
  if (reason.startsWith('maxSessionsPerAddress')) return 'sessions-per-address';
  if (reason.startsWith('maxSessions ')) return 'sessions';
  if (reason.startsWith('session store')) return 'store';
  if (reason === 'server closed') return 'closed';
  return 'other';
}

export class SessionServerMetrics {
  readonly registry: Registry;
  readonly #prom: PromClient;
  #server: SessionServer | null = null;
  #scrape: Promise<string> | null = null;
  #hellos!: Counter<'outcome' | 'reason'>;
  #outage!: Histogram;
  #replayed!: Counter;
  #refusals!: Counter<'reason'>;
  #closes!: Counter<'code' | 'side'>;
  #budgetDrains!: Counter;
  #expiries!: Counter;
  #errors!: Counter;
  #storeObserver: StoreObserver | null = null;

  private constructor(prom: PromClient) {
    this.#prom = prom;
    this.registry = new prom.Registry();
  }

  /** Loads prom-client (rejects with code ERR_PROM_CLIENT_MISSING if it is not installed). */
  static async create(): Promise<SessionServerMetrics> {
    return new SessionServerMetrics(await loadPromClient());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; scrapes that arrive together share one collection. */
  metrics(): Promise<string> {
    this.#scrape ??= this.registry.metrics().finally(() => (this.#scrape = null));
    return this.#scrape;
  }

  /**
   * Wraps a store so its calls are timed and counted (`store_*` metrics); pass the result to the server as `store`.
   * Readiness probes should use the store itself, so a flood of them does not move these figures.
   */
  instrumentStore(store: SessionStore): SessionStore {
    if (!this.#storeObserver) this.#storeObserver = this.#makeStoreObserver();
    return instrumentStore(store, this.#storeObserver);
  }

  /** Starts observing `server` (one server per metrics object); returns a function that stops it. */
  observe(server: SessionServer): () => void {
    if (this.#server) throw new Error('SessionServerMetrics.observe(): already observing a server');
    this.#server = server;
    const { Counter, Gauge, Histogram } = this.#prom;
    const registers = [this.registry];
    const name = (n: string) => METRIC_PREFIX + n;
    const gauge = (n: string, help: string, read: () => number) =>
      new Gauge({
        name: name(n),
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    const counted = () => {
      let attached = 0;
      let blocked = 0;
      for (const s of server.sessions) {
        if (s.connected) attached++;
        if (s.blocked) blocked++;
      }
      return { attached, blocked };
    };
    gauge('sessions', 'Sessions this node holds, attached or not.', () => server.sessionCount);
    gauge('sessions_attached', 'Sessions with a socket attached.', () => counted().attached);
    gauge('sessions_blocked', 'Sessions whose expiration is blocked (blockExpiration).', () => counted().blocked);
    gauge('connections', 'WebSockets open, with or without a session yet.', () => server.connectionCount);
    gauge('draining', '1 while the server drains (sends clients away), else 0.', () => (server.draining ? 1 : 0));
    gauge('replay_bytes', 'Bytes held for replay across all sessions.', () => server.replayBytes);
    gauge('replay_bytes_limit', 'The bound on replay bytes (maxTotalReplayBytes).', () => server.replayBytesLimit);
    gauge('replay_budget_ratio', 'Share of maxTotalReplayBytes in use, 0 to 1.', () =>
      server.replayBytesLimit > 0 ? server.replayBytes / server.replayBytesLimit : 0,
    );
    const traffic = server.traffic;
    const fromTraffic = (n: string, help: string, read: (d: 'in' | 'out') => number) =>
      new Counter({
        name: name(n),
        help,
        labelNames: ['direction'],
        registers,
        collect() {
          this.reset();
          this.inc({ direction: 'in' }, read('in'));
          this.inc({ direction: 'out' }, read('out'));
        },
      });
    fromTraffic(
      'messages_total',
      'Application messages: in = message frames from clients (resends after a resume included), out = messages sent.',
      (d) => (d === 'in' ? traffic.messagesIn : traffic.messagesOut),
    );
    fromTraffic('message_bytes_total', 'Bytes of those message frames.', (d) =>
      d === 'in' ? traffic.bytesIn : traffic.bytesOut,
    );
    this.#hellos = new Counter({
      name: name('hellos_total'),
      help: 'Hellos answered with a welcome: outcome new or resumed; reason why an old session was not resumed.',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.#outage = new Histogram({
      name: name('resume_outage_seconds'),
      help: 'How long a session was without a socket when it was resumed on the node that held it.',
      buckets: OUTAGE_BUCKETS,
      registers,
    });
    this.#replayed = new Counter({
      name: name('replayed_messages_total'),
      help: 'Messages sent again on resumes.',
      registers,
    });
    this.#refusals = new Counter({
      name: name('refusals_total'),
      help: 'Upgrades and hellos turned away, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.#closes = new Counter({
      name: name('closes_total'),
      help: 'WebSockets closed, by close code; side = server when the server sent the close frame.',
      labelNames: ['code', 'side'],
      registers,
    });
    this.#budgetDrains = new Counter({
      name: name('replay_budget_drains_total'),
      help: 'Times the shared replay budget had room again after refusing sends.',
      registers,
    });
    this.#expiries = new Counter({ name: name('expiries_total'), help: 'Unused sessions expired.', registers });
    this.#errors = new Counter({ name: name('errors_total'), help: 'Errors the server reported.', registers });
    for (const reason of [
      'origin',
      'path',
      'connections-per-address',
      'connections',
      'sessions-per-address',
      'sessions',
      'store',
    ])
      this.#refusals.inc({ reason }, 0);
    this.#hellos.inc({ outcome: 'new', reason: 'none' }, 0);
    this.#hellos.inc({ outcome: 'resumed', reason: 'none' }, 0);

    const onHello = ({ resumed, reason }: { resumed: boolean; reason: string | undefined }) =>
      this.#hellos.inc({ outcome: resumed ? 'resumed' : 'new', reason: reason ?? 'none' });
    const onResume = (_: unknown, info: { replayed: number; outageMs: number }) => {
      this.#outage.observe(info.outageMs / 1000);
      if (info.replayed > 0) this.#replayed.inc(info.replayed);
    };
    const onReject = (info: RejectInfo) => this.#refusals.inc({ reason: refusalReason(info) });
    const onDrain = () => this.#budgetDrains.inc();
    const onExpire = () => this.#expiries.inc();
    const onError = () => this.#errors.inc();
    const onConnection = (ws: WebSocket, _req: IncomingMessage) =>
      ws.once('close', (code: number) => {
        const sent = closeCodeSent(ws);
        const c = sent ?? code;
        this.#closes.inc({ code: KNOWN_CLOSE_CODES.has(c) ? String(c) : 'other', side: sent ? 'server' : 'client' });
      });
    server.on('hello', onHello);
    server.on('resume', onResume);
    server.on('reject', onReject);
    server.on('drain', onDrain);
    server.on('expire', onExpire);
    server.on('error', onError);
    server.wss.on('connection', onConnection);
    return () => {
      server.off('hello', onHello);
      server.off('resume', onResume);
      server.off('reject', onReject);
      server.off('drain', onDrain);
      server.off('expire', onExpire);
      server.off('error', onError);
      server.wss.off('connection', onConnection);
    };
  }

  #makeStoreObserver(): StoreObserver {
    const { Counter, Histogram } = this.#prom;
    const registers = [this.registry];
    const duration = new Histogram({
      name: `${METRIC_PREFIX}store_call_duration_seconds`,
      help: 'Session store calls, by operation.',
      labelNames: ['op'],
      buckets: STORE_BUCKETS,
      registers,
    });
    const errors = new Counter({
      name: `${METRIC_PREFIX}store_errors_total`,
      help: 'Session store calls that failed, by operation.',
      labelNames: ['op'],
      registers,
    });
    const claims = new Counter({
      name: `${METRIC_PREFIX}store_claims_total`,
      help: 'Resume claims in the store, by result (ok, owned, token, user, expired, unknown, replay-gap).',
      labelNames: ['result'],
      registers,
    });
    const takeovers = new Counter({
      name: `${METRIC_PREFIX}store_takeovers_total`,
      help: 'Claims that took a session over from another node.',
      registers,
    });
    errors.inc({ op: 'claim' }, 0);
    errors.inc({ op: 'write' }, 0);
    takeovers.inc(0);
    return {
      call: (op, seconds, failed) => {
        duration.observe({ op }, seconds);
        if (failed) errors.inc({ op });
      },
      claim: (result, takeover) => {
        claims.inc({ result });
        if (takeover) takeovers.inc();
      },
    };
  }
}

/** Metrics for one server: `const metrics = await createMetrics(); metrics.observe(server)`. */
export function createMetrics(): Promise<SessionServerMetrics> {
  return SessionServerMetrics.create();
}
