/**
 * The door of the WebSocket server: which upgrades come in (path, per-address and total bounds, origin) and how
 * the rest are turned away (a short HTTP answer, cut if the client does not go), and the HTTP server the library
 * creates, bounded against idle and slow connections.
 */
import { createServer, type IncomingMessage, type Server, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { AddressCounter, addressKey, clientAddress } from './address.js';
import type { ConnectionGate } from './connection-gate.js';
import { callGuarded } from './guard.js';
import type { ResolvedOptions } from './options.js';
import { originAllowed, type OriginPolicy } from './origin.js';

/** What the gate tells its server: an upgrade it turned away. */
export interface Refusal {
  status: number;
  reason: string;
  address: string;
  origin: string | undefined;
}

export interface UpgradeGateOptions {
  path: string | undefined;
  origins: OriginPolicy | undefined;
  wss: WebSocketServer;
  /** The bound on WebSockets in total. */
  connections: ConnectionGate;
  closed: () => boolean;
  refused: (refusal: Refusal) => void;
  reportError: (error: Error) => void;
}

export class UpgradeGate {
  /** Open WebSockets per client address (the server counts them as they open and close). */
  readonly socketsByAddress = new AddressCounter();
  readonly #o: ResolvedOptions;
  readonly #g: UpgradeGateOptions;

  constructor(options: ResolvedOptions, gate: UpgradeGateOptions) {
    this.#o = options;
    this.#g = gate;
  }

  /**
   * An upgrade request. `shared`: on a server other upgrade listeners may serve too, so a path that is not ours
   * is left to them rather than refused.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, shared = false): void {
    socket.on('error', destroyQuietly);
    if (this.#g.path !== undefined && requestPath(req.url) !== this.#g.path) {
      if (!shared) this.#refuse(req, socket, 404, 'Not Found', 'no WebSocket on this path');
      return;
    }
    if (this.#g.closed()) return this.#refuse(req, socket, 503, 'Service Unavailable', 'server closed');
    const address = clientAddress(req, this.#o.trustProxy);
    const perAddress = this.#o.maxConnectionsPerAddress;
    if (this.socketsByAddress.get(address) >= perAddress) {
      return this.#refuse(req, socket, 429, 'Too Many Requests', `maxConnectionsPerAddress (${perAddress}) reached`);
    }
    // A throwing policy function is the application's bug: refuse the socket, keep the server up.
    if (!callGuarded(() => originAllowed(this.#g.origins, req), false, this.#g.reportError)) {
      return this.#refuse(req, socket, 403, 'Forbidden', 'origin not allowed (see allowedOrigins)');
    }
    const connections = this.#g.connections;
    if (!connections.admit()) {
      return this.#refuse(req, socket, 503, 'Service Unavailable', `maxConnections (${connections.max}) reached`);
    }
    const wss = this.#g.wss;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }

  #refuse(req: IncomingMessage, socket: Duplex, status: number, text: string, reason: string): void {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin.slice(0, 200) : undefined;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    const cut = setTimeout(() => socket.destroy(), this.#o.closeTimeoutMs);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
    this.#g.refused({ status, reason, address: clientAddress(req, this.#o.trustProxy), origin });
  }
}

/** The HTTP server the library creates when it is given none. */
export function createBoundedHttpServer(o: ResolvedOptions, listener: RequestListener | undefined): Server {
  const http = createServer(
    {
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.headersTimeoutMs * 2,
      connectionsCheckingInterval: Math.min(1000, o.headersTimeoutMs),
    },
    listener ?? ((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only')),
  );
  http.keepAliveTimeout = 5000;
  // Requests that never upgrade hold descriptors too: past the WebSocket bound plus a tenth, Node drops new ones.
  http.maxConnections = o.maxConnections + Math.ceil(o.maxConnections / 10);
  const tcpByAddress = new AddressCounter();
  // Slow or idle sockets from one address must not use up the process's descriptors.
  http.on('connection', (socket: Socket) => {
    // Behind a proxy every connection comes from the proxy: the per-address limit then applies at the upgrade.
    if (o.trustProxy > 0) return;
    const address = addressKey(socket.remoteAddress ?? 'unknown');
    if (tcpByAddress.get(address) >= o.maxConnectionsPerAddress) return void socket.destroy();
    tcpByAddress.add(address);
    socket.once('close', () => tcpByAddress.remove(address));
  });
  return http;
}

function destroyQuietly(this: Duplex): void {
  this.destroy();
}

/** The path of a request target, without throwing on targets `new URL` refuses (`//`, `//x:99999/`, `//[::1/ws`). */
export function requestPath(target: string | undefined): string | null {
  if (!target) return null;
  if (target.startsWith('/')) return target.split(/[?#]/, 1)[0]!;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}
