import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { Credential } from '../../src/client/credential.js';
import { headlessEnvironment } from '../../src/client/environment.js';
import { SessionClient } from '../../src/client/session-client.js';
import type { StatusDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig, type RawAttributes } from '../../src/config.js';
import { scriptedServer, send, welcome } from './scripted-peer.js';
import { HOSTILE_CREDENTIALS, until } from './support.js';

const cleanups: (() => unknown)[] = [];
after(async () => {
  // Clients first: a server waits for its sockets to close.
  for (const c of cleanups.reverse()) await c();
});

/** A Storage in memory, for `persist`. */
function memoryStorage() {
  const map = new Map<string, string>();
  const storage = {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  } as unknown as Storage;
  return { map, storage };
}

/**
 * A client with `auth` whose every report is kept. Delays of a minute: an attempt that waited for the backoff
 * instead of coming at once would never arrive within a test.
 */
function authClient(url: string, auth: Credential | null, attrs: Partial<RawAttributes> = {}) {
  const { config } = parseConfig(
    { ...NO_ATTRIBUTES, url, protocol: 'session', delays: '60000', jitter: '0', ...attrs },
    url,
  );
  const reports: [string, unknown][] = [];
  const statuses: StatusDetail[] = [];
  const { map, storage } = memoryStorage();
  const client = new SessionClient(
    config,
    {
      status: (d) => {
        statuses.push(d);
        reports.push(['status', d]);
      },
      message: (d) => reports.push(['message', d]),
      error: (d) => reports.push(['error', d]),
      session: (d) => reports.push(['session', d]),
      recovered: (d) => reports.push(['recovered', d]),
      sessionId: (id) => reports.push(['sessionId', id]),
      drain: (d) => reports.push(['drain', d]),
    },
    { ...headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket), storage: () => storage },
  );
  client.auth = auth;
  cleanups.push(() => client.dispose());
  const errors = () => reports.filter(([k]) => k === 'error').map(([, d]) => d as { kind: string; message: string });
  const last = () => statuses.at(-1)!;
  return { client, reports, statuses, errors, last, storage: map };
}

/** A credential function that hands out `cred-1`, `cred-2`, … and counts its calls. */
function counter(prefix = 'cred') {
  const fn = () => `${prefix}-${++fn.calls}`;
  fn.calls = 0;
  return fn;
}

const scheduled = (statuses: StatusDetail[]) => statuses.filter((s) => s.nextAttemptAt !== null);

describe('SessionClient auth', () => {
  it('sends the credential in every hello, asking the function again before each attempt', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      send(ws, n === 1 ? welcome() : welcome({ resumed: true, token: 'tok-2' }));
      if (n === 1) ws.terminate();
    });
    cleanups.push(server.close);
    let calls = 0;
    // The second answer is a Promise: both forms work.
    const { client } = authClient(server.url, () => (++calls === 1 ? 'cred-1' : Promise.resolve('cred-2')), {
      delays: '20',
    });
    client.connect();
    await until(() => server.hellos.length === 2 && client.status === 'open', 'resumed');
    assert.deepEqual(server.hellos, [
      { t: 'hello', v: 1, ack: 0, auth: 'cred-1' },
      { t: 'hello', v: 1, sid: 'sid-1', token: 'tok-1', ack: 0, auth: 'cred-2' },
    ]);
    assert.equal(calls, 2);
  });

  it('sends a string credential as it is, and no auth field without one', async () => {
    const server = await scriptedServer((ws) => send(ws, welcome()));
    cleanups.push(server.close);
    const a = authClient(server.url, 'fixed');
    a.client.connect();
    await until(() => a.client.status === 'open', 'open');
    const b = authClient(server.url, null);
    b.client.connect();
    await until(() => b.client.status === 'open', 'open');
    assert.deepEqual(
      server.hellos.map((h) => h.auth),
      ['fixed', undefined],
    );
    assert.ok(!('auth' in server.hellos[1]!));
  });

  it('a 4401 on an open session: a fresh credential at once, uncounted, and the same session resumes with nothing lost', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      if (n === 1) {
        send(ws, welcome());
        send(ws, { t: 'msg', seq: 1, d: 'before' });
        // No ack for the client's messages: they must be resent after the 4401.
        ws.on('message', (d) => {
          if (JSON.parse(d.toString()).seq === 2) ws.close(4401, 'credential expired');
        });
      } else {
        send(ws, welcome({ resumed: true, token: 'tok-2', ack: 0, seq: 1 }));
        send(ws, { t: 'msg', seq: 2, d: 'after' });
      }
    });
    cleanups.push(server.close);
    const fn = counter();
    const { client, statuses, reports } = authClient(server.url, fn);
    client.connect();
    await until(() => client.status === 'open', 'open');
    client.send('x1');
    client.send('x2');
    await until(() => server.hellos.length === 2 && client.status === 'open', 'resumed after the 4401');
    await until(() => server.frames.filter((f) => f.t === 'msg').length === 4, 'both messages resent');
    assert.deepEqual(server.hellos[1], { t: 'hello', v: 1, sid: 'sid-1', token: 'tok-1', ack: 1, auth: 'cred-2' });
    assert.deepEqual(
      server.frames.filter((f) => f.t === 'msg').map((f) => [f.seq, f.d]),
      [
        [1, 'x1'],
        [2, 'x2'],
        [1, 'x1'],
        [2, 'x2'],
      ],
    );
    await until(() => reports.some(([k, d]) => k === 'message' && (d as { data: unknown }).data === 'after'), 'after');
    assert.deepEqual(scheduled(statuses), [], 'no backoff: the attempt came at once');
    const retry = statuses.find((s) => s.previous === 'open')!;
    assert.deepEqual([retry.status, retry.attempt, retry.cause, retry.code], ['reconnecting', 0, 'server-close', 4401]);
    const sessions = reports.filter(([k]) => k === 'session').map(([, d]) => (d as { resumed: boolean }).resumed);
    assert.deepEqual(sessions, [false, true]);
    assert.equal(fn.calls, 2);
  });

  it('a 4401 on the first hello: a fresh credential at once', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      if (n === 1) ws.close(4401, 'expired');
      else send(ws, welcome());
    });
    cleanups.push(server.close);
    const { client, statuses } = authClient(server.url, counter());
    client.connect();
    await until(() => client.status === 'open', 'open');
    assert.deepEqual(
      server.hellos.map((h) => h.auth),
      ['cred-1', 'cred-2'],
    );
    assert.deepEqual(scheduled(statuses), []);
    assert.deepEqual(
      statuses.map((s) => [s.status, s.code]),
      [
        ['connecting', null],
        ['connecting', 4401],
        ['open', null],
      ],
      'still connecting: it was never open',
    );
  });

  it('a second 4401 in a row ends in failed with cause auth; retryNow() starts again with a fresh credential', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      if (n <= 2) ws.close(4401, 'expired');
      else send(ws, welcome());
    });
    cleanups.push(server.close);
    const fn = counter();
    const { client, last } = authClient(server.url, fn);
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    assert.deepEqual([last().cause, last().code, last().reason], ['auth', 4401, 'expired']);
    assert.equal(server.hellos.length, 2);
    client.retryNow();
    await until(() => client.status === 'open', 'open after retryNow()');
    assert.deepEqual(
      server.hellos.map((h) => h.auth),
      ['cred-1', 'cred-2', 'cred-3'],
    );
  });

  it('a 4401, an open, then a 4401 again gets its immediate attempt again', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      if (n === 1 || n === 3) return ws.close(4401, 'expired');
      send(ws, n === 2 ? welcome() : welcome({ resumed: true, token: `tok-${n}` }));
      if (n === 2) setTimeout(() => ws.close(4401, 'expired'), 10);
    });
    cleanups.push(server.close);
    const { client, last } = authClient(server.url, counter());
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    // The 4401 after the open got its attempt (the third hello); the one on that attempt is the second in a row.
    assert.equal(server.hellos.length, 3);
    assert.deepEqual([last().cause, last().code], ['auth', 4401]);
  });

  it('a 4403 ends in failed with cause auth at once', async () => {
    const server = await scriptedServer((ws) => ws.close(4403, 'not yours'));
    cleanups.push(server.close);
    const { client, last } = authClient(server.url, counter());
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    assert.deepEqual([last().cause, last().code, last().reason], ['auth', 4403, 'not yours']);
    assert.equal(server.hellos.length, 1);
  });

  for (const [what, fn, message] of HOSTILE_CREDENTIALS) {
    it(`a credential function that ${what}: failed with cause auth, no hello, and retryNow() asks again`, async () => {
      const server = await scriptedServer(() => {});
      cleanups.push(server.close);
      let calls = 0;
      const { client, last, errors } = authClient(server.url, (() => (calls++, fn())) as Credential);
      client.connect();
      await until(() => client.status === 'failed', 'failed');
      assert.deepEqual([last().cause, last().code], ['auth', null]);
      assert.deepEqual(errors(), [{ kind: 'auth', message }]);
      client.retryNow();
      await until(() => client.status === 'failed' && calls === 2, 'failed again');
      assert.equal(server.hellos.length, 0);
      await until(() => server.clients().size === 0, 'no socket left open');
    });
  }

  it('a credential function that never answers: failed with cause auth after the connect timeout, and a late answer is ignored', async () => {
    const server = await scriptedServer(() => {});
    cleanups.push(server.close);
    let answer: (v: string) => void = () => {};
    let calls = 0;
    const { client, last, errors } = authClient(server.url, () => (calls++, new Promise<string>((r) => (answer = r))), {
      connectTimeout: '100',
    });
    client.connect();
    await until(() => client.status === 'failed', 'failed');
    assert.deepEqual([last().cause, errors()], ['auth', [{ kind: 'auth', message: 'auth timed out' }]]);
    answer('late');
    client.retryNow();
    await until(() => calls === 2, 'asked again');
    answer('on time');
    await until(() => server.hellos.length === 1, 'the hello of the retry');
    assert.equal(server.hellos[0]!.auth, 'on time');
  });

  it('reauth: a fresh credential over the live socket while messages flow both ways', async () => {
    let socket: WebSocket | undefined;
    const server = await scriptedServer((ws) => {
      socket = ws;
      send(ws, welcome());
    });
    cleanups.push(server.close);
    let release: (v: string) => void = () => {};
    let calls = 0;
    const { client, statuses, reports } = authClient(server.url, () =>
      ++calls === 1 ? 'cred-1' : new Promise<string>((r) => (release = r)),
    );
    client.connect();
    await until(() => client.status === 'open', 'open');
    const seen = statuses.length;
    send(socket!, { t: 'reauth', before: Date.now() + 60_000 });
    await until(() => calls === 2, 'the function asked again');
    // While the credential is being fetched, nothing waits for it.
    send(socket!, { t: 'msg', seq: 1, d: 'down' });
    client.send('up');
    await until(() => server.frames.some((f) => f.t === 'msg' && f.d === 'up'), 'up');
    await until(() => reports.some(([k]) => k === 'message'), 'down');
    release('cred-2');
    await until(() => server.frames.some((f) => f.t === 'auth'), 'auth frame');
    assert.deepEqual(
      server.frames.find((f) => f.t === 'auth'),
      { t: 'auth', auth: 'cred-2' },
    );
    assert.equal(server.hellos.length, 1);
    assert.equal(statuses.length, seen, 'no status change');
  });

  it('reauth with a failing credential function: a session-error without the credential, and the socket stays', async () => {
    let socket: WebSocket | undefined;
    const server = await scriptedServer((ws) => {
      socket = ws;
      send(ws, welcome());
    });
    cleanups.push(server.close);
    let calls = 0;
    const { client, errors } = authClient(server.url, () => {
      if (++calls > 1) throw new Error('SECRET');
      return 'cred-1';
    });
    client.connect();
    await until(() => client.status === 'open', 'open');
    send(socket!, { t: 'reauth', before: Date.now() + 60_000 });
    await until(() => errors().length === 1, 'an error');
    assert.deepEqual(errors(), [{ kind: 'auth', message: 'auth threw' }]);
    send(socket!, { t: 'ping', ts: 1 });
    await until(() => server.frames.some((f) => f.t === 'pong'), 'still answering on the same socket');
    assert.equal(client.status, 'open');
    assert.ok(!server.frames.some((f) => f.t === 'auth'));
  });

  it('keeps the credential out of every report, the console, the URL and persisted storage', async () => {
    const logged: unknown[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void logged.push(args);
    try {
      let socket: WebSocket | undefined;
      const server = await scriptedServer((ws, hello, n) => {
        socket = ws;
        if (n === 2) return ws.close(4401, 'expired');
        send(ws, n === 1 ? welcome() : welcome({ resumed: true, token: `tok-${n}`, ack: 1 }));
        send(ws, { t: 'msg', seq: n === 1 ? 1 : 2, d: `m${n}` });
        ws.on('message', (d) => {
          const f = JSON.parse(d.toString());
          if (f.t === 'msg') send(ws, { t: 'ack', seq: f.seq });
        });
        void hello;
      });
      cleanups.push(server.close);
      const fn = counter('SECRET');
      const { client, reports, storage } = authClient(server.url, fn, { delays: '20' });
      client.persistKey = 'key';
      client.connect();
      await until(() => client.status === 'open', 'open');
      client.send('one');
      send(socket!, { t: 'reauth', before: Date.now() + 60_000 });
      await until(() => server.frames.some((f) => f.t === 'auth'), 'auth frame');
      socket!.terminate();
      await until(() => server.hellos.length === 3 && client.status === 'open', 'resumed after a drop and a 4401');
      client.send('two');
      client.disconnect();
      assert.deepEqual(
        server.hellos.map((h) => h.auth),
        ['SECRET-1', 'SECRET-3', 'SECRET-4'],
        'the credential did travel, in hellos',
      );
      assert.ok(reports.length > 10);
      assert.doesNotMatch(JSON.stringify(reports), /SECRET/);
      assert.doesNotMatch(JSON.stringify(logged), /SECRET/);
      assert.ok(server.urls.length === 3 && server.urls.every((u) => !/SECRET/.test(u)));
      assert.ok(storage.size > 0, 'a snapshot was saved');
      assert.doesNotMatch(JSON.stringify([...storage]), /SECRET/);
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]!));
    }
  });
});
