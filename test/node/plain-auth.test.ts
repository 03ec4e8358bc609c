// Plain mode and a server that refuses the page's cookie with 4401: one immediate attempt, then `failed`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, WebSocketServer } from 'ws';
import { headlessEnvironment } from '../../src/client/environment.js';
import { SessionClient } from '../../src/client/session-client.js';
import type { StatusDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';
import { until } from './support.js';

describe('SessionClient in plain mode, closed with 4401', () => {
  it('tries once more at once, then fails with cause auth instead of reconnecting in a loop', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    let upgrades = 0;
    // As a plain server does with a missing or expired cookie: accept the upgrade, then refuse.
    wss.on('connection', (ws) => {
      upgrades++;
      ws.close(4401, 'sign in again');
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    // Minute-long delays: an attempt that waited for the backoff would not come within the test.
    const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'plain', delays: '60000', jitter: '0' }, url);
    const statuses: StatusDetail[] = [];
    const ignore = () => {};
    const client = new SessionClient(
      config,
      {
        status: (d) => statuses.push(d),
        ...{ message: ignore, error: ignore, session: ignore, recovered: ignore, sessionId: ignore, drain: ignore },
      },
      headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket),
    );
    try {
      client.connect();
      await until(() => client.status === 'failed', `failed (statuses: ${statuses.map((s) => s.status)})`, 5000);
      assert.equal(upgrades, 2);
      assert.equal(statuses.at(-1)!.cause, 'auth');
      assert.equal(statuses.at(-1)!.code, 4401);
      // A fresh cycle (the page refreshed its cookie) gets its immediate second attempt again.
      client.retryNow();
      await until(() => upgrades === 4 && client.status === 'failed', `second cycle (${upgrades} upgrades)`, 5000);
    } finally {
      client.dispose();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
