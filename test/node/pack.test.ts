// The package as a user gets it: what `npm pack` puts in the tarball, and that the tarball installed into an
// empty project works through each entry of its exports map and its CLI (`npm test` builds dist first).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The tarball is packed from the build `npm test` just made; packing must not build (or clean) again.
const quiet = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

async function pack(...args: string[]): Promise<Packed> {
  const { stdout } = await run(npm, ['pack', '--json', ...quiet, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return (JSON.parse(stdout) as Packed[])[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative('src', join(e.parentPath, e.name)).split('\\').join('/'));
}

/** What a user needs: each module's JS and types, the bundles with their maps, the manifest and the notices. */
function expectedFiles(): string[] {
  const modules = sourceFiles('src').flatMap((f) => {
    const base = `dist/${f.replace(/\.ts$/, '')}`;
    return [`${base}.js`, `${base}.d.ts`];
  });
  const bundle = readdirSync('dist/bundle').map((f) => `dist/bundle/${f}`);
  return [...modules, ...bundle, 'custom-elements.json', 'README.md', 'LICENSE', 'package.json'].sort();
}

describe('npm pack', () => {
  it('packs exactly the built modules, their types, the bundles, the manifest, README and LICENSE', async () => {
    assert.ok(existsSync('dist/index.js'), 'dist/ is missing: run `npm run build`');
    const packed = await pack('--dry-run');
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, expectedFiles());
    assert.ok(
      files.some((f) => f.startsWith('dist/bundle/') && f.endsWith('.min.js')),
      'the minified bundle is packed',
    );
    console.log(`# ${files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
  });

  it('ships no source map that points at a file it does not ship', () => {
    const files = new Set(expectedFiles());
    for (const file of files) {
      if (file.endsWith('.js')) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
        if (url) assert.ok(files.has(posix.join(posix.dirname(file), url)), `${file} → ${url}`);
      }
      if (file.endsWith('.map')) {
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: string[] };
        map.sources.forEach((source, i) => {
          // A map may name sources the package lacks only if it carries their text.
          const shipped = files.has(posix.join(posix.dirname(file), source));
          assert.ok(shipped || typeof map.sourcesContent?.[i] === 'string', `${file} needs ${source}`);
        });
      }
    }
  });
});

describe('the packed tarball installed into an empty project', () => {
  let project: string;
  const children: ReturnType<typeof spawn>[] = [];

  /** Sends through `reconnecting-session/client` (over `ws`) to `url` and prints the first message back. */
  const echoClient = `
    import { WebSocket } from 'ws';
    import { NO_ATTRIBUTES, SessionClient, parseConfig } from 'reconnecting-session/client';
    export function echo(url, data) {
      const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session' }, url);
      return new Promise((resolve, reject) => {
        const client = new SessionClient(config, {
          status() {},
          message: (d) => { client.dispose(); resolve(d.data); },
          error: (d) => reject(new Error(d.message)),
          session() {},
          recovered() {},
          sessionId() {},
        }, { WebSocket });
        client.connect();
        client.send(data);
      });
    }`;

  before(async () => {
    project = mkdtempSync(join(tmpdir(), 'reconnecting-session-install-'));
    const { filename } = await pack('--pack-destination', project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // One install, from the npm cache when it has everything (the registry otherwise).
    await run(npm, ['install', join(project, filename), 'ws', 'lit', '--prefer-offline', ...quiet], {
      cwd: project,
      timeout: 120_000,
    });
    writeFileSync(join(project, 'echo-client.mjs'), echoClient);
  });

  after(() => {
    // npx runs the bin in a child of its own: stop the whole group this test started.
    for (const child of children) if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    if (project) rmSync(project, { recursive: true, force: true });
  });

  /** Runs an ES module in the project, as the project's own code; resolves with what it prints. */
  async function inProject(code: string, ...args: string[]): Promise<string> {
    const file = join(project, `check-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, code);
    const { stdout } = await run(process.execPath, [file, ...args], { cwd: project, timeout: 30_000 });
    return stdout.trim();
  }

  it('uses ./server and ./client from Node: a session server and a client that sends and receives', async () => {
    const out = await inProject(`
      import { attachEchoApp, createSessionServer } from 'reconnecting-session/server';
      import { echo } from './echo-client.mjs';
      const server = createSessionServer({ port: 0, host: '127.0.0.1' });
      attachEchoApp(server);
      await server.ready;
      const reply = await echo('ws://127.0.0.1:' + server.port + '/', 'hello');
      await server.close();
      console.log(JSON.stringify(reply));
    `);
    assert.deepEqual(JSON.parse(out), { echo: 'hello' });
  });

  it('uses ., ./element and the bundles: the root registers the element that ./element exports', async () => {
    const out = await inProject(`
      const element = await import('reconnecting-session/element');
      const root = await import('reconnecting-session');
      console.log(JSON.stringify({
        same: root.ReconnectingSessionElement === element.ReconnectingSessionElement,
        registered: customElements.get('reconnecting-session') === root.ReconnectingSessionElement,
        events: typeof root.SessionStatusEvent,
        attributes: element.ReconnectingSessionElement.observedAttributes.length,
        bundle: import.meta.resolve('reconnecting-session/bundle'),
        noOverlay: import.meta.resolve('reconnecting-session/bundle/no-overlay'),
        manifest: JSON.parse((await import('node:fs')).readFileSync('node_modules/reconnecting-session/package.json')).customElements,
      }));
    `);
    const result = JSON.parse(out) as Record<string, unknown>;
    assert.equal(result.same, true);
    assert.equal(result.registered, true);
    assert.equal(result.events, 'function');
    assert.ok((result.attributes as number) >= 30);
    assert.ok(existsSync(new URL(result.bundle as string)), `${result.bundle}`);
    assert.match(result.noOverlay as string, /reconnecting-session\.no-overlay\.min\.js$/);
    assert.ok(existsSync(new URL(result.noOverlay as string)), `${result.noOverlay}`);
    assert.ok(existsSync(join(project, 'node_modules/reconnecting-session', result.manifest as string)));
  });

  it('types each entry for TypeScript: the element, its events by name, the client and the server', async () => {
    writeFileSync(
      join(project, 'app.ts'),
      `import { ReconnectingSessionElement, type NewSessionReason, type StatusDetail } from 'reconnecting-session';
      import { ReconnectingSessionElement as Element } from 'reconnecting-session/element';
      import { NO_ATTRIBUTES, SessionClient, parseConfig } from 'reconnecting-session/client';
      import { createSessionServer } from 'reconnecting-session/server';
      const el: ReconnectingSessionElement = document.createElement('reconnecting-session');
      el.addEventListener('session-status', (e) => console.log(e.detail satisfies StatusDetail));
      el.addEventListener('session-reload', (e) => console.log(e.detail.reason satisfies NewSessionReason | null));
      const seq: number | null = el.send('hi');
      const same: typeof Element = ReconnectingSessionElement;
      const server = createSessionServer({ port: 0 });
      console.log(seq, same, SessionClient, parseConfig(NO_ATTRIBUTES, 'ws://x/'), server.port);
      `,
    );
    const tsc = join(process.cwd(), 'node_modules/typescript/bin/tsc');
    const types = join(process.cwd(), 'node_modules/@types');
    const options = ['--strict', '--skipLibCheck', '--module', 'nodenext', '--target', 'es2022'];
    const args = [...options, '--lib', 'es2022,dom', '--typeRoots', types, '--types', 'node', '--noEmit', 'app.ts'];
    await run(process.execPath, [tsc, ...args], { cwd: project, timeout: 60_000 }).catch((error) => {
      throw new Error(`tsc: ${error.stdout}${error.stderr}`);
    });
  });

  it('leaves ioredis out (an optional peer dependency), and the CLI asks for it by name for --redis', async () => {
    assert.equal(existsSync(join(project, 'node_modules/ioredis')), false, 'npm installed no ioredis');
    const bin = join(project, 'node_modules/.bin/reconnecting-session-server');
    const failed = await run(bin, ['--redis', 'redis://127.0.0.1:1'], { cwd: project, timeout: 30_000 }).then(
      () => assert.fail('the CLI started without ioredis'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /--redis: sessions in Redis need ioredis, .*: npm install ioredis/);
  });

  it('runs the CLI bin: `npx reconnecting-session-server --port 0` prints its URL and echoes', async () => {
    const cli = spawn('npx', ['reconnecting-session-server', '--port', '0'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(cli);
    let output = '';
    cli.stdout.on('data', (d) => (output += d));
    cli.stderr.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 20_000);
      cli.stdout.on('data', () => {
        const match = /ws:\/\/127\.0\.0\.1:\d+\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      cli.on('exit', (code) => reject(new Error(`the CLI exited (${code}): ${output}`)));
    });
    const out = await inProject(
      `import { echo } from './echo-client.mjs'; console.log(JSON.stringify(await echo(process.argv[2], 'hi')));`,
      url,
    );
    assert.deepEqual(JSON.parse(out), { echo: 'hi' });
  });
});
