import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { RawClient } from './support.js';

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

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
      assert.deepEqual(await c.next('retry'), { t: 'retry', afterMs: 1000, spreadMs: 700 });
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
});
