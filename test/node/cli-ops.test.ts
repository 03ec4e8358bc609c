import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient, runNode } from './support.js';

const runCli = (args: string[]) => runNode(['--import', 'tsx', 'src/server/cli.ts', ...args]);

async function waitFor(cli: ReturnType<typeof runCli>, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = pattern.exec(cli.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${cli.output()} ${cli.errors()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const status = async (url: string) => (await fetch(url)).status;

describe('reconnecting-session-server --metrics-port and --log-format json', () => {
  it('serves /metrics on the private port only, probes on both, and logs JSON lines without secrets', async () => {
    const cli = runCli([
      ...['--port', '0', '--metrics-port', '0', '--log-format', 'json'],
      ...['--allow-origin', 'http://good.example'],
    ]);
    const secrets: string[] = [];
    try {
      const port = (await waitFor(cli, /"url":"ws:\/\/127\.0\.0\.1:(\d+)\/"/))[1];
      const opsPort = (await waitFor(cli, /"url":"http:\/\/127\.0\.0\.1:(\d+)\/metrics"/))[1];
      const main = `http://127.0.0.1:${port}`;
      const ops = `http://127.0.0.1:${opsPort}`;
      assert.equal(await status(`${main}/metrics`), 426, 'not on the public port');
      assert.deepEqual(
        [await status(`${main}/healthz`), await status(`${main}/readyz`), await status(`${ops}/healthz`)],
        [200, 200, 200],
      );
      assert.equal(await status(`${ops}/`), 404);

      const url = `ws://127.0.0.1:${port}/`;
      let c = new RawClient(url, { origin: 'http://good.example' });
      const first = await c.hello();
      secrets.push(first.token, 'SECRET-CONTENT-4711');
      c.send({ t: 'msg', seq: 1, d: 'SECRET-CONTENT-4711' });
      await c.next('msg');
      c.close();
      c = new RawClient(url, { origin: 'http://good.example' });
      secrets.push((await c.hello({ sid: first.sid, token: first.token, ack: 1 })).token);
      const guess = 'WRONG-TOKEN-0815';
      secrets.push(guess);
      const other = new RawClient(url, { origin: 'http://good.example' });
      secrets.push((await other.hello({ sid: first.sid, token: guess })).token);
      // A protocol error and a refused page, so there is more than the start to log.
      other.send('{"t":"msg","seq":7,"d":"SECRET-CONTENT-4711"}');
      await other.closed;
      const refused = new RawClient(url, { origin: 'http://evil.example' });
      refused.ws.on('error', () => {});
      await refused.closed;
      c.close();

      const scrape = await (await fetch(`${ops}/metrics`)).text();
      assert.match(scrape, /^reconnecting_session_hellos_total\{outcome="resumed",reason="none"\} 1$/m);
      assert.match(scrape, /^reconnecting_session_hellos_total\{outcome="new",reason="token"\} 1$/m);
      assert.match(scrape, /^reconnecting_session_refusals_total\{reason="origin"\} 1$/m);
      await waitFor({ ...cli, output: () => cli.errors() }, /"event":"refused"/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
    const lines = (cli.output() + cli.errors()).trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      assert.equal(typeof entry.time, 'string');
      assert.ok(['info', 'warn', 'error'].includes(entry.level as string), JSON.stringify(entry));
      assert.equal(typeof entry.event, 'string');
      assert.equal(typeof entry.msg, 'string');
    }
    const events = entries.map((e) => e.event);
    assert.deepEqual(events.slice(0, 2), ['listening', 'metrics']);
    const refusal = entries.find((e) => e.event === 'refused')!;
    assert.deepEqual([refusal.level, refusal.status, refusal.origin], ['warn', 403, 'http://evil.example']);
    for (const secret of secrets) {
      for (const line of lines) assert.ok(!line.includes(secret), `a log line holds ${secret}: ${line}`);
    }
  });

  it('refuses an unknown --log-format', async () => {
    const cli = runCli(['--log-format', 'xml', '--port', '0']);
    assert.equal(await cli.exited, 2);
    assert.match(cli.errors().split('\n')[0]!, /--log-format must be text or json, not "xml"/);
  });
});
