/** A private redis-server for a test: a free loopback port, no persistence unless asked, stopped after. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const haveRedis = existsSync(REDIS_SERVER);

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    socket.once('error', () => resolve(false));
  });
}

export class TestRedis {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  readonly #aof: boolean;
  #child: ChildProcess | null = null;

  private constructor(port: number, aof: boolean) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#aof = aof;
    this.#dir = mkdtempSync(join(tmpdir(), 'rs-redis-'));
  }

  /** `aof`: append-only file with fsync on every write, for the restart test. */
  static async start(options: { aof?: boolean } = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), options.aof ?? false);
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.#dir];
    args.push(...(this.#aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    args.push('--maxmemory-policy', 'noeviction');
    this.#child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(await reachable(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the server at once (SIGKILL): no goodbye to clients, nothing saved beyond the AOF. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
