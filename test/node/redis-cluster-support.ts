/** A private three-master Redis Cluster for a test: free loopback ports, no persistence, stopped after. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REDIS_SERVER } from './redis-support.js';

export const REDIS_CLI = process.env.REDIS_CLI ?? join(REDIS_SERVER, '..', 'redis-cli');
export const haveRedisCluster = existsSync(REDIS_SERVER) && existsSync(REDIS_CLI);

function cli(port: number, ...args: string[]): string {
  const r = spawnSync(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

export class TestRedisCluster {
  readonly ports: number[];
  readonly #dir: string;
  readonly #children: ChildProcess[] = [];

  private constructor(ports: number[]) {
    this.ports = ports;
    this.#dir = mkdtempSync(join(tmpdir(), 'rs-redis-cluster-'));
  }

  /** The seed URL a store is given (any node tells the client about the others). */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}`;
  }

  static async start(): Promise<TestRedisCluster> {
    const ports: number[] = [];
    // Cluster nodes also listen on port + 10000 for their bus: both must be free.
    while (ports.length < 3) {
      const port = await freePort();
      if (port + 10_000 < 65_536 && !ports.includes(port)) ports.push(port);
    }
    const cluster = new TestRedisCluster(ports);
    try {
      await cluster.#start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async #start(): Promise<void> {
    for (const port of this.ports) {
      const dir = join(this.#dir, String(port));
      mkdirSync(dir);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
      args.push('--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no');
      args.push('--maxmemory-policy', 'noeviction');
      this.#children.push(spawn(REDIS_SERVER, args, { stdio: 'ignore' }));
    }
    await this.#until(() => this.ports.every((p) => cli(p, 'PING').includes('PONG')), 'nodes up');
    const nodes = this.ports.map((p) => `127.0.0.1:${p}`);
    const created = cli(this.ports[0]!, '--cluster', 'create', ...nodes, '--cluster-yes');
    if (!created.includes('All 16384 slots covered')) throw new Error(`cluster create failed: ${created}`);
    await this.#until(
      () => this.ports.every((p) => cli(p, 'CLUSTER', 'INFO').includes('cluster_state:ok')),
      'cluster_state:ok on every node',
    );
  }

  async #until(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map((child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
