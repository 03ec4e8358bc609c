// Plain mode and authentication: a cookie refused with 4401, and `auth` offered as a bearer subprotocol.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { credentialProtocols, type Credential } from '../../src/client/credential.js';
import { headlessEnvironment } from '../../src/client/environment.js';
import { SessionClient } from '../../src/client/session-client.js';
import type { StatusDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig, type RawAttributes } from '../../src/config.js';
import { delay, HOSTILE_CREDENTIALS, until } from './support.js';

const cleanups: (() => unknown)[] = [];
after(async () => {
  // Clients first: a server waits for its sockets to close.
  for (const c of cleanups.reverse()) await c();
});

const BEARER = 'base64url.bearer.';
const bearerProtocol = (credential: string) => credentialProtocols(credential)[1]!;

/** What a plain server reads of the upgrade, as docs/auth.md shows: the bearer subprotocol, decoded. */
function credentialOf(req: IncomingMessage): string | null {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER));
  return bearer ? Buffer.from(bearer.slice(BEARER.length), 'base64url').toString() : null;
}

/**
 * A plain `ws` server; `onConnection` decides each socket's fate. Without `handleProtocols` (as most servers are
 * written) `ws` selects the first protocol offered.
 */
async function plainServer(onConnection: (ws: WebSocket, credential: string | null) => void) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const upgrades: { credential: string | null; offered: string | undefined; url: string; selected: string }[] = [];
  wss.on('connection', (ws, req) => {
    const credential = credentialOf(req);
    upgrades.push({
      credential,
      offered: req.headers['sec-websocket-protocol'],
      url: req.url ?? '',
      selected: ws.protocol,
    });
    onConnection(ws, credential);
  });
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, upgrades };
}

/** A plain-mode client whose every report is kept. Minute-long delays: only immediate attempts come in a test. */
function plainClient(url: string, auth: Credential | null, attrs: Partial<RawAttributes> = {}) {
  const { config } = parseConfig(
    { ...NO_ATTRIBUTES, url, protocol: 'plain', delays: '60000', jitter: '0', ...attrs },
    url,
  );
  const reports: unknown[] = [];
  const statuses: StatusDetail[] = [];
  const keep = (kind: string) => (d: unknown) => void reports.push([kind, d]);
  const client = new SessionClient(
    config,
    {
      status: (d) => {
        statuses.push(d);
        reports.push(['status', d]);
      },
      ...{ message: keep('message'), error: keep('error'), session: keep('session'), recovered: keep('recovered') },
      ...{ sessionId: keep('sessionId'), drain: keep('drain') },
    },
    headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket),
  );
  client.auth = auth;
  cleanups.push(() => client.dispose());
  const errors = () => reports.filter((r) => (r as [string])[0] === 'error').map((r) => (r as [string, unknown])[1]);
  return { client, reports, statuses, errors, last: () => statuses.at(-1)! };
}

describe('SessionClient in plain mode, closed with 4401', () => {
  it('tries once more at once, then fails with cause auth instead of reconnecting in a loop', async () => {
    // As a plain server does with a missing or expired cookie: accept the upgrade, then refuse.
    const server = await plainServer((ws) => ws.close(4401, 'sign in again'));
    const { client, statuses } = plainClient(server.url, null);
    client.connect();
    await until(() => client.status === 'failed', `failed (statuses: ${statuses.map((s) => s.status)})`, 5000);
    assert.equal(server.upgrades.length, 2);
    assert.equal(statuses.at(-1)!.cause, 'auth');
    assert.equal(statuses.at(-1)!.code, 4401);
    assert.deepEqual(
      server.upgrades.map((u) => u.offered),
      [undefined, undefined],
      'no auth, no subprotocol',
    );
    // A fresh cycle (the page refreshed its cookie) gets its immediate second attempt again.
    client.retryNow();
    await until(() => server.upgrades.length === 4 && client.status === 'failed', 'second cycle', 5000);
  });
});

describe('credentialProtocols', () => {
  it('offers a protocol to select, then base64url of the UTF-8 bytes without padding (any credential is a token)', () => {
    for (const credential of ['', 'a', 'ab', '>>>???', 'eyJhbGciOi.e30.sig', 'jöhn:pässwörd ✓', 'x'.repeat(9000)]) {
      const [first, protocol] = credentialProtocols(credential) as [string, string];
      assert.equal(first, 'reconnecting-session');
      assert.match(protocol, /^base64url\.bearer\.[A-Za-z0-9_-]*$/);
      assert.equal(Buffer.from(protocol.slice(BEARER.length), 'base64url').toString(), credential);
      assert.equal(protocol.slice(BEARER.length), Buffer.from(credential).toString('base64url'));
    }
  });
});

describe('SessionClient in plain mode with auth', () => {
  it('asks for the credential before each attempt and offers it as a bearer subprotocol, never echoed or in the URL', async () => {
    const logged: unknown[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void logged.push(args);
    try {
      let socket: WebSocket | undefined;
      const server = await plainServer((ws) => (socket = ws));
      let calls = 0;
      const { client, reports } = plainClient(server.url, async () => `SECRET-${++calls}`, { delays: '20' });
      client.sessionId = 'sid-1';
      client.connect();
      await until(() => client.status === 'open', 'open');
      socket!.terminate();
      await until(() => server.upgrades.length === 2 && client.status === 'open', 'reconnected');
      client.disconnect();
      assert.equal(calls, 2);
      assert.deepEqual(
        server.upgrades.map((u) => [u.credential, u.offered, u.selected, u.url]),
        [
          ['SECRET-1', `reconnecting-session,${bearerProtocol('SECRET-1')}`, 'reconnecting-session', '/?session=sid-1'],
          ['SECRET-2', `reconnecting-session,${bearerProtocol('SECRET-2')}`, 'reconnecting-session', '/?session=sid-1'],
        ],
      );
      const encoded = [1, 2].map((n) => bearerProtocol(`SECRET-${n}`).slice(BEARER.length));
      for (const leaked of ['SECRET', ...encoded]) {
        assert.ok(!JSON.stringify([reports, logged]).includes(leaked), `${leaked} in a report or the console`);
      }
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]!));
    }
  });

  it('a stale credential: 4401, a fresh one at once (uncounted), then open', async () => {
    const server = await plainServer((ws, credential) => credential === 'stale' && ws.close(4401, 'expired'));
    const answers = ['stale', 'fresh'];
    const { client, statuses } = plainClient(server.url, () => answers.shift() ?? 'again');
    client.connect();
    await until(() => client.status === 'open', 'open');
    assert.deepEqual(
      server.upgrades.map((u) => u.credential),
      ['stale', 'fresh'],
    );
    assert.deepEqual(
      statuses.map((s) => [s.status, s.code, s.nextAttemptAt]),
      [
        ['connecting', null, null],
        // A plain server can only refuse a socket it has accepted.
        ['open', null, null],
        ['reconnecting', 4401, null],
        ['open', null, null],
      ],
    );
  });

  it('a credential that expires on a long-lived socket, twice: a fresh one at once each time, never failed', async () => {
    // The server accepts each credential, then (as a plain server would at its expiry) closes with 4401.
    const server = await plainServer((ws) => setTimeout(() => ws.close(4401, 'expired'), 150));
    let n = 0;
    const { client, statuses } = plainClient(server.url, () => `token-${++n}`, { connectTimeout: '100' });
    client.connect();
    await until(() => server.upgrades.length === 3 && client.status === 'open', 'the third socket open');
    assert.deepEqual(
      server.upgrades.map((u) => u.credential),
      ['token-1', 'token-2', 'token-3'],
    );
    assert.equal(statuses.filter((s) => s.status === 'failed').length, 0);
    assert.deepEqual(
      statuses.filter((s) => s.status === 'reconnecting').map((s) => [s.code, s.nextAttemptAt]),
      [
        [4401, null],
        [4401, null],
      ],
    );
  });

  it('a 4401 right after every open still ends in failed: the retry is given back only to a socket that lived', async () => {
    const server = await plainServer((ws) => ws.close(4401, 'no'));
    const { client, last } = plainClient(server.url, () => 'token', { connectTimeout: '1000' });
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    assert.deepEqual([last().cause, last().code, server.upgrades.length], ['auth', 4401, 2]);
  });

  for (const [what, fn, message] of HOSTILE_CREDENTIALS) {
    it(`a credential function that ${what}: failed with cause auth and no upgrade at all`, async () => {
      const server = await plainServer(() => {});
      let calls = 0;
      const { client, last, errors } = plainClient(server.url, (() => (calls++, fn())) as Credential);
      client.connect();
      await until(() => client.status === 'failed', 'failed');
      assert.deepEqual([last().cause, last().code, errors()], ['auth', null, [{ kind: 'auth', message }]]);
      client.retryNow();
      await until(() => client.status === 'failed' && calls === 2, 'failed again');
      await delay(50);
      assert.equal(server.upgrades.length, 0);
    });
  }

  it('a credential that does not come within connect-timeout: failed with cause auth, and a late one dials nothing', async () => {
    const server = await plainServer(() => {});
    const answers: ((v: string) => void)[] = [];
    const { client, last, errors } = plainClient(server.url, () => new Promise<string>((r) => answers.push(r)), {
      connectTimeout: '100',
    });
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    assert.deepEqual([last().cause, errors()], ['auth', [{ kind: 'auth', message: 'auth timed out' }]]);
    answers[0]!('late');
    client.retryNow();
    await until(() => answers.length === 2, 'asked again');
    answers[1]!('on time');
    await until(() => client.status === 'open', 'open');
    assert.deepEqual(
      server.upgrades.map((u) => u.credential),
      ['on time'],
    );
  });

  it('while the credential is on its way, retryNow() waits for it and disconnect() gives it up', async () => {
    const server = await plainServer(() => {});
    const answers: ((v: string) => void)[] = [];
    const { client } = plainClient(server.url, () => new Promise<string>((r) => answers.push(r)));
    client.connect();
    await until(() => answers.length === 1, 'asked');
    client.retryNow();
    assert.equal(answers.length, 1, 'asked once');
    client.disconnect();
    answers[0]!('too late');
    await delay(50);
    assert.equal(client.status, 'closed');
    assert.equal(server.upgrades.length, 0);
    client.connect();
    await until(() => answers.length === 2, 'asked again');
    answers[1]!('now');
    await until(() => client.status === 'open', 'open');
    assert.deepEqual(
      server.upgrades.map((u) => u.credential),
      ['now'],
    );
  });
});
