import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';
import { SessionClient } from '../../src/client/session-client.js';
import { headlessEnvironment } from '../../src/client/environment.js';
import { attachEchoApp } from '../../src/server/index.js';
import { startServer, until } from './support.js';
import { freePort, haveRedis, TestRedis } from './redis-support.js';
import { NodeProcess } from './cluster-support.js';

/** A real client whose queue holds `maxQueue` messages, collecting what the example app answers. */
function client(url: string, maxQueue = 100_000) {
  const { config } = parseConfig(
    {
      ...NO_ATTRIBUTES,
      url,
      protocol: 'session',
      delays: '50',
      jitter: '0',
      maxAttempts: '1000',
      maxQueue: String(maxQueue),
    },
    url,
  );
  const echoes: unknown[] = [];
  const other: unknown[] = [];
  const c = new SessionClient(
    config,
    {
      status() {},
      message: (d) => {
        const data = d.data as { echo?: unknown };
        if (data && typeof data === 'object' && 'echo' in data) echoes.push(data.echo);
        else other.push(d.data);
      },
      error() {},
      session() {},
      recovered() {},
      sessionId() {},
    },
    headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket),
  );
  c.connect();
  return { c, echoes, other };
}

const inOrder = (values: unknown[], n: number) => values.length === n && values.every((v, i) => v === i);

describe('the example app answers everything, in order, exactly once', () => {
  it('200,000 tiny messages sent at once: every one answered', { timeout: 120_000 }, async () => {
    const { server, url } = await startServer({});
    attachEchoApp(server);
    const N = 200_000;
    const { c, echoes } = client(url, N);
    try {
      await until(() => c.status === 'open', 'open');
      for (let i = 0; i < N; i++) c.send(i);
      await until(() => echoes.length >= N, `${N} echoes (have ${echoes.length})`, 100_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(inOrder(echoes, N), `in order, exactly once: ${echoes.length} echoes`);
    } finally {
      c.dispose();
      await server.close();
    }
  });

  describe('across a SIGTERM restart of the CLI', { skip: !haveRedis }, () => {
    let redis: TestRedis;
    before(async () => {
      redis = await TestRedis.start();
    });
    after(() => redis.stop());

    it('1,425 messages queued while the server restarts: every one answered', { timeout: 60_000 }, async () => {
      const port = await freePort();
      const node = new NodeProcess(port, redis.url, 'R1', ['--drain-spread', '0']);
      await node.start();
      const { c, echoes } = client(`ws://127.0.0.1:${port}/`);
      try {
        await until(() => c.status === 'open', 'open', 10_000);
        await node.kill('SIGTERM');
        await until(() => c.status !== 'open', 'the client saw the restart', 10_000);
        const N = 1425;
        for (let i = 0; i < N; i++) c.send(i);
        await node.start();
        await until(() => echoes.length >= N, `${N} echoes (have ${echoes.length})`, 30_000);
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(inOrder(echoes, N), `in order, exactly once: ${echoes.length} echoes`);
      } finally {
        c.dispose();
        await node.kill();
      }
    });
  });
});

describe('a broadcast never stalls the server', () => {
  it(
    '500 non-reading sessions from 10 addresses posting 20 KB chats: the event loop never waits a second',
    { timeout: 120_000 },
    async () => {
      const { server, url } = await startServer({});
      attachEchoApp(server);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      const flood = spawn(process.execPath, ['test/support/chat-flood.mjs', url, '500', '10', '3', '20000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      flood.stdout.on('data', (d) => (out += d));
      const done = new Promise<number | null>((resolve) => flood.once('exit', resolve));
      try {
        await until(() => out.includes('ready'), 'the flood connected', 60_000);
        loop.enable();
        await until(() => out.includes('sent'), 'the flood sent its chats', 60_000);
        // Let the server work through what arrived, then look at the worst stall it had.
        const { client: victim } = { client: client(url) };
        await until(() => victim.c.status === 'open', 'a new client is still welcomed', 30_000);
        victim.c.send(0);
        await until(() => victim.echoes.length === 1, 'and answered', 30_000);
        victim.c.dispose();
        loop.disable();
        const worstMs = loop.max / 1e6;
        assert.ok(server.sessionCount >= 500, `sessions held: ${server.sessionCount}`);
        assert.ok(worstMs < 1000, `longest event-loop stall ${worstMs.toFixed(0)} ms`);
      } finally {
        flood.kill();
        await done;
        await server.close();
      }
    },
  );
});
