/** Helpers for tests with several nodes: a TCP balancer on loopback, CLI nodes in child processes, a real client. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { SessionClient } from '../../src/client/session-client.js';
import { headlessEnvironment } from '../../src/client/environment.js';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';

/** Sends each new connection to the first target (from `current`) that accepts it; `cut()` moves every client. */
export class TestBalancer {
  readonly server: Server;
  targets: number[];
  current = 0;
  readonly #sockets = new Set<Socket>();

  constructor(targets: number[]) {
    this.targets = targets;
    this.server = createServer((client) => this.#route(client, 0));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  #route(client: Socket, tried: number): void {
    if (tried >= this.targets.length) return void client.destroy();
    const port = this.targets[(this.current + tried) % this.targets.length]!;
    const upstream = connect(port, '127.0.0.1');
    client.pause();
    upstream.once('connect', () => {
      this.#sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      client.once('close', end).on('error', end);
      upstream.once('close', end).on('error', end);
    });
    upstream.once('error', () => {
      if (!this.#sockets.has(upstream)) this.#route(client, tried + 1);
    });
  }

  /** Sends new connections to target `index` and cuts every open one, so each client comes back there. */
  moveTo(index: number): void {
    this.current = index;
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The CLI (echo app) with `--redis`, in its own process so it can be killed with SIGKILL. */
export class NodeProcess {
  child: ChildProcess | null = null;
  output = '';
  readonly port: number;
  readonly #args: string[];

  constructor(port: number, redisUrl: string, nodeId: string, extra: string[] = []) {
    this.port = port;
    this.#args = ['--port', String(port), '--redis', redisUrl, '--node-id', nodeId, ...extra];
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...this.#args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 20_000;
    while (!this.output.includes('listening on')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node did not start: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

export interface TestClient {
  client: SessionClient;
  received: unknown[];
  /** Sessions started (1 when every drop was resumed). */
  news: () => number;
  /** Resumes of the same session. */
  resumes: () => number;
  reasons: string[];
}

/** `WebSocketClass`: another than `ws`'s, e.g. one that trusts a test certificate. */
export function sessionClient(url: string, delays = '20', WebSocketClass: unknown = WebSocket): TestClient {
  const { config } = parseConfig(
    { ...NO_ATTRIBUTES, url, protocol: 'session', delays, jitter: '0', maxAttempts: '1000' },
    url,
  );
  const received: unknown[] = [];
  const reasons: string[] = [];
  let news = 0;
  let resumes = 0;
  const client = new SessionClient(
    config,
    {
      status() {},
      message: (d) => received.push(d.data),
      error() {},
      session: (d) => {
        if (d.resumed) return void resumes++;
        news++;
        if (d.reason) reasons.push(d.reason);
      },
      recovered() {},
      sessionId() {},
    },
    headlessEnvironment(WebSocketClass as typeof globalThis.WebSocket),
  );
  client.connect();
  return { client, received, news: () => news, resumes: () => resumes, reasons };
}
