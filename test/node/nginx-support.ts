/** Debian's nginx for a test: the configuration from docs/operations.md, its own ports and paths, stopped after. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

/** The one ```nginx block of docs/operations.md that holds an upstream: the file operators copy. */
export function documentedConfig(): string {
  const doc = readFileSync('docs/operations.md', 'utf8');
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('upstream'));
  if (blocks.length !== 1) throw new Error(`docs/operations.md has ${blocks.length} nginx blocks with an upstream`);
  return blocks[0]!;
}

/** Replaces `from` (which must be there, so a changed doc fails here rather than testing something else). */
export function substitute(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`the documented nginx configuration no longer has ${String(from)}`);
  return typeof from === 'string' ? text.replaceAll(from, to) : text.replace(from, to);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!!socket.destroy()));
    socket.once('error', () => resolve(false));
  });
}

export class TestNginx {
  readonly dir = mkdtempSync(join(tmpdir(), 'rs-nginx-'));
  readonly #conf = join(this.dir, 'nginx.conf');
  #child: ChildProcess | null = null;
  output = '';

  constructor() {
    // Workers run as nobody when the master is root: they must reach the temp directories nginx makes here.
    chmodSync(this.dir, 0o755);
  }

  /** A self-signed certificate for 127.0.0.1; returns its PEM for the client to trust. */
  certificate(): { cert: string; key: string; pem: string } {
    const cert = join(this.dir, 'cert.pem');
    const key = join(this.dir, 'key.pem');
    const args = `req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1
      -addext subjectAltName=IP:127.0.0.1 -keyout ${key} -out ${cert}`;
    execFileSync('openssl', args.split(/\s+/), { stdio: 'ignore' });
    return { cert, key, pem: readFileSync(cert, 'utf8') };
  }

  /**
   * Writes `site` as conf.d does on Debian, inside a main file of the test's own (pid, logs, temp paths, what the
   * doc says to put in nginx.conf), and starts nginx in the foreground so it is this process's child.
   */
  async start(site: string, port: number, main = ''): Promise<void> {
    if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: apt-get install -y nginx (or set NGINX)`);
    writeFileSync(join(this.dir, 'site.conf'), site);
    const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${t}_temp;`);
    writeFileSync(
      this.#conf,
      [
        'worker_processes 1;',
        'pid nginx.pid;',
        'error_log error.log info;',
        main,
        'events { worker_connections 256; }',
        `http { access_log access.log; ${temps.join(' ')} include site.conf; }`,
      ].join('\n'),
    );
    const child = spawn(NGINX, ['-c', this.#conf, '-p', this.dir + '/', '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 5000;
    while (!(await listening(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${this.log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** `nginx -s reload`, as an operator types it; the same -c and -p find the pid file of this nginx. */
  reload(): void {
    execFileSync(NGINX, ['-c', this.#conf, '-p', this.dir + '/', '-s', 'reload'], { stdio: 'ignore' });
  }

  log(): string {
    const file = join(this.dir, 'error.log');
    return this.output + (existsSync(file) ? readFileSync(file, 'utf8') : '');
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // SIGTERM: fast shutdown of master and workers together.
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
