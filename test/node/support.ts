import { spawn } from 'node:child_process';
import { WebSocket } from 'ws';
import { createSessionServer, type SessionServer, type SessionServerOptions } from '../../src/server/index.js';
import { decodeServerFrame, type Frame, type WelcomeFrame } from '../../src/protocol/frames.js';

export async function startServer(options: SessionServerOptions = {}): Promise<{ server: SessionServer; url: string }> {
  const server = createSessionServer({ port: 0, host: '127.0.0.1', ...options });
  await server.ready;
  return { server, url: `ws://127.0.0.1:${server.port}/` };
}

/** A raw protocol client: sends frames as given and collects what comes back. */
export class RawClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly raw: string[] = [];
  closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      this.frames.push(decodeServerFrame(text));
      for (const w of this.#waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === 1) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the next frame of `type` not yet taken. */
  async next<T extends Frame['t']>(type: T, timeoutMs = 3000): Promise<Extract<Frame, { t: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.t === type);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<Frame, { t: T }>;
      if (Date.now() > deadline)
        throw new Error(`no ${type} frame within ${timeoutMs} ms (have ${this.raw.join(' ')})`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async hello(fields: { sid?: string; token?: string; ack?: number } = {}): Promise<WelcomeFrame> {
    await this.opened();
    this.send({ t: 'hello', v: 1, ack: 0, ...fields });
    return this.next('welcome');
  }

  close(): void {
    this.ws.terminate();
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** A node child process whose output is collected: the CLI, the demo, an example. */
export function runNode(args: string[]) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

/** Credential functions a page might hand the client, each failing its own way, with the error it must report. */
export const HOSTILE_CREDENTIALS: [what: string, fn: () => unknown, message: string][] = [
  [
    'throws',
    () => {
      throw new Error('SECRET in the message');
    },
    'auth threw',
  ],
  ['rejects', () => Promise.reject(new Error('SECRET in the message')), 'auth rejected'],
  ['returns a number', () => 42, 'auth gave no string'],
  ['returns nothing', () => undefined, 'auth gave no string'],
  ['resolves to an object', () => Promise.resolve({ token: 'SECRET' }), 'auth gave no string'],
];
