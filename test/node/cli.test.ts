import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, runNode } from './support.js';

const runCli = (args: string[]) => runNode(['--import', 'tsx', 'src/server/cli.ts', ...args]);

describe('reconnecting-session-server CLI', () => {
  it('serves the echo app on the port it prints', async () => {
    const cli = runCli([
      ...['--port', '0', '--unused-session-lifetime', '500', '--check-unused-sessions', '200'],
      ...['--drain-spread', '700'],
    ]);
    try {
      const deadline = Date.now() + 15000;
      while (!/ws:\/\/127\.0\.0\.1:\d+\//.test(cli.output())) {
        if (Date.now() > deadline) throw new Error(`no URL printed: ${cli.output()} ${cli.errors()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /ws:\/\/127\.0\.0\.1:\d+\//.exec(cli.output())![0];
      const c = new RawClient(url);
      const welcome = await c.hello();
      assert.equal(welcome.lifetimeMs, 500);
      c.send({ t: 'msg', seq: 1, d: 'hi' });
      assert.deepEqual((await c.next('msg')).d, { echo: 'hi' });
      // A deploy's SIGTERM drains: the client hears when to come back, spread over --drain-spread.
      cli.child.kill('SIGTERM');
      assert.deepEqual(await c.next('retry'), { t: 'retry', afterMs: 1000, spreadMs: 700, code: 1012 });
      assert.equal((await c.closed).code, 1012);
      c.close();
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('rejects a bad flag value with a clear message and exit code 2', async () => {
    const cli = runCli(['--unused-session-lifetime', 'soon']);
    assert.equal(await cli.exited, 2);
    assert.match(cli.errors(), /--unused-session-lifetime must be an integer/);
  });

  for (const [args, message] of [
    [['--check-unused-sessions', '-1'], /--check-unused-sessions must be an integer from 10 to \d+, not "-1"/],
    [['--check-unused-sessions', '0'], /--check-unused-sessions must be an integer from 10/],
    [['--drain-spread', 'abc'], /--drain-spread must be an integer/],
    [['--max-frame-bytes', '4294967296'], /--max-frame-bytes must be an integer from 256/],
    [['--path', 'ws'], /--path must start with \//],
    [['--static', '/nonexistent-folder'], /--static "\/nonexistent-folder" is not a folder/],
    [['--redis-cluster'], /--redis-cluster needs --redis URL/],
    [['--redis', 'localhost:6379'], /--redis must be a redis:\/\/ or rediss:\/\/ URL/],
  ] as const) {
    it(`refuses ${args.join(' ')} before listening, in one line`, async () => {
      const cli = runCli([...args, '--port', '0']);
      assert.equal(await cli.exited, 2);
      assert.match(cli.errors().split('\n')[0]!, message);
      assert.doesNotMatch(cli.output(), /listening/);
    });
  }

  it('--redis without ioredis (an optional peer dependency) says in one line how to install it', async () => {
    // A resolve hook that answers for `ioredis` as Node does for a package that is not installed.
    const hook = join(mkdtempSync(join(tmpdir(), 'rs-no-ioredis-')), 'hide-ioredis.mjs');
    const resolve = `export async function resolve(specifier, context, next) {
      if (specifier !== 'ioredis') return next(specifier, context);
      const error = new Error("Cannot find package 'ioredis' imported from " + context.parentURL);
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }`;
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolve)}`)});\n`,
    );
    const cli = runNode(['--import', 'tsx', '--import', hook, 'src/server/cli.ts', '--redis', 'redis://127.0.0.1:1']);
    assert.equal(await cli.exited, 1);
    assert.equal(
      cli.errors().trim(),
      'reconnecting-session-server: --redis: sessions in Redis need ioredis, an optional peer dependency of ' +
        'reconnecting-session: npm install ioredis',
    );
    assert.doesNotMatch(cli.output(), /listening/);
  });

  it('says in one line that the port is busy and how to pick another', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = runCli(['--port', String(port)]);
      assert.equal(await cli.exited, 2);
      assert.match(
        cli.errors().split('\n')[0]!,
        new RegExp(`port ${port} on 127.0.0.1 is in use; pick another with --port`),
      );
      assert.doesNotMatch(cli.errors(), /at .*\.js:\d+/, 'no stack trace');
    } finally {
      blocker.close();
    }
  });

  it('--static serves pages and the bundle from the same origin, which the default origin check accepts; refusals are logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hi</title>');
    const cli = runCli(['--port', '0', '--static', dir]);
    try {
      const deadline = Date.now() + 15000;
      while (!/ws:\/\/127\.0\.0\.1:\d+\//.test(cli.output())) {
        if (Date.now() > deadline) throw new Error(`no URL printed: ${cli.output()} ${cli.errors()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const port = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(cli.output())![1];
      const page = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>hi<\/title>/);
      for (const name of ['min.js', 'iife.js', 'no-overlay.min.js']) {
        const bundle = await fetch(`http://127.0.0.1:${port}/reconnecting-session.${name}`);
        assert.equal(bundle.status, 200, name);
        assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
      }
      for (const evil of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/%00', '/%zz'])
        assert.ok([400, 404].includes((await fetch(`http://127.0.0.1:${port}${evil}`)).status), evil);
      const same = new RawClient(`ws://127.0.0.1:${port}/`, { Origin: `http://127.0.0.1:${port}` });
      assert.equal((await same.hello()).resumed, false);
      same.close();
      const other = new RawClient(`ws://127.0.0.1:${port}/`, { Origin: 'http://127.0.0.1:5173' });
      await new Promise((r) => other.ws.once('error', r));
      const deadline2 = Date.now() + 5000;
      while (!/refused/.test(cli.errors()) && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
      assert.match(
        cli.errors(),
        /refused 127\.0\.0\.1 \(Origin http:\/\/127\.0\.0\.1:5173\): 403 .*--allow-origin "http:\/\/127\.0\.0\.1:5173"/,
      );
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});
