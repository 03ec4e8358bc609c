import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { headlessEnvironment } from '../../src/client/environment.js';
import { SessionClient } from '../../src/client/session-client.js';
import type { ErrorDetail, SessionDetail, StatusDetail } from '../../src/client/types.js';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';
import { scriptedServer, send, welcome } from './scripted-peer.js';
import { until } from './support.js';

function sessionClient(url: string) {
  const messages: unknown[] = [];
  const errors: ErrorDetail[] = [];
  const sessions: SessionDetail[] = [];
  const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session', delays: '20', jitter: '0' }, url);
  const client = new SessionClient(
    config,
    {
      status() {},
      message: (d) => messages.push(d.data),
      error: (d) => errors.push(d),
      session: (d) => sessions.push(d),
      recovered() {},
      sessionId() {},
    },
    headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket),
  );
  return { client, messages, errors, sessions };
}

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

describe('SessionClient against a scripted peer', () => {
  it('drops duplicate messages and acknowledges cumulatively', async () => {
    const server = await scriptedServer((ws) => {
      send(ws, welcome());
      for (const seq of [1, 1, 2, 2, 3]) send(ws, { t: 'msg', seq, d: `m${seq}` });
    });
    const { client, messages } = sessionClient(server.url);
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => server.frames.some((f) => f.t === 'ack' && f.seq === 3), 'ack 3');
    assert.deepEqual(messages, ['m1', 'm2', 'm3']);
    assert.ok(server.frames.filter((f) => f.t === 'ack').length <= 2, 'acks are batched');
  });

  it('reconnects on a gap and asks for what it is missing (hello.ack)', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      if (n === 1) {
        send(ws, welcome());
        send(ws, { t: 'msg', seq: 1, d: 'a' });
        send(ws, { t: 'msg', seq: 3, d: 'c' });
      } else {
        send(ws, welcome({ resumed: true, token: 'tok-2', seq: 3 }));
        send(ws, { t: 'msg', seq: 2, d: 'b' });
        send(ws, { t: 'msg', seq: 3, d: 'c' });
      }
    });
    const { client, messages, errors } = sessionClient(server.url);
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => messages.length === 3, 'three messages');
    assert.deepEqual(messages, ['a', 'b', 'c']);
    assert.deepEqual(server.hellos[1], { t: 'hello', v: 1, sid: 'sid-1', token: 'tok-1', ack: 1 });
    assert.equal(errors[0]!.kind, 'protocol');
  });

  it('resends only what the server has not acknowledged, in order, with the token it was given', async () => {
    let first: WebSocket | undefined;
    const server = await scriptedServer((ws, _hello, n) => {
      if (n === 1) {
        first = ws;
        send(ws, welcome());
      } else {
        send(ws, welcome({ resumed: true, token: 'tok-2', ack: 2 }));
      }
    });
    const { client, sessions } = sessionClient(server.url);
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => client.status === 'open', 'open');
    for (const d of ['x1', 'x2', 'x3', 'x4']) client.send(d);
    await until(() => server.frames.filter((f) => f.t === 'msg').length === 4, 'four sent');
    first!.terminate();
    await until(() => server.hellos.length === 2 && client.status === 'open', 'resumed');
    await until(() => server.frames.filter((f) => f.t === 'msg').length === 6, 'two resent');
    const resent = server.frames.filter((f) => f.t === 'msg').slice(4);
    assert.deepEqual(resent, [
      { t: 'msg', seq: 3, d: 'x3' },
      { t: 'msg', seq: 4, d: 'x4' },
    ]);
    assert.equal(client.queued, 2);
    const resumed = sessions.at(-1)!;
    assert.ok(resumed.resumed);
    assert.equal(resumed.sessionId, 'sid-1');
    assert.equal(resumed.replayedToServer, 2);
    assert.equal(server.hellos[1]!.token, 'tok-1');
  });

  it('after a 1009 from a server that announced no limit, drops the largest message it sent and resumes', async () => {
    const got: Record<string, unknown>[] = [];
    const server = await scriptedServer((ws, _hello, n) => {
      send(ws, n === 1 ? welcome() : welcome({ resumed: true, token: `tok-${n}`, ack: got.length }));
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.t !== 'msg') return;
        // As ws's maxPayload does: a frame over the limit closes the socket before it is read.
        if (data.toString().length > 1000) return ws.close(1009, 'too big');
        if (frame.seq === got.length + 1) got.push(frame);
        send(ws, { t: 'ack', seq: got.length });
      });
    });
    const { client, errors } = sessionClient(server.url);
    cleanups.push(() => client.dispose(), server.close);
    client.send('small 1');
    client.send('x'.repeat(5000));
    client.send('small 2');
    client.connect();
    await until(() => got.length === 2 && client.queued === 0, 'the two small messages');
    assert.deepEqual(
      got.map((f) => [f.seq, f.d]),
      [
        [1, 'small 1'],
        [2, 'small 2'],
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.kind, e.seq]),
      [['too-big', 2]],
    );
    assert.equal(client.status, 'open');
  });

  it('resumes after a 1002 close, and a 1002 on every socket without progress ends in failed', async () => {
    const server = await scriptedServer((ws, _hello, n) => {
      send(ws, n === 1 ? welcome() : welcome({ resumed: true, token: `tok-${n}` }));
      ws.close(1002, 'message 3 skips past 1');
    });
    const { config } = parseConfig(
      { ...NO_ATTRIBUTES, url: server.url, protocol: 'session', delays: '20', jitter: '0', maxAttempts: '3' },
      server.url,
    );
    const statuses: StatusDetail[] = [];
    const client = new SessionClient(
      config,
      { status: (d) => statuses.push(d), message() {}, error() {}, session() {}, recovered() {}, sessionId() {} },
      headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket),
    );
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => client.status === 'failed', 'failed', 5000);
    // The first socket and three counted attempts, each resuming the same session; an open does not reset the count.
    assert.equal(server.hellos.length, 4);
    assert.ok(server.hellos.slice(1).every((h) => h.sid === 'sid-1'));
    assert.deepEqual(
      statuses.filter((s) => s.status === 'reconnecting' && s.nextAttemptAt !== null).map((s) => [s.attempt, s.cause]),
      [
        [1, 'protocol'],
        [2, 'protocol'],
        [3, 'protocol'],
      ],
    );
    assert.deepEqual([statuses.at(-1)!.cause, statuses.at(-1)!.code], ['protocol', 1002]);
  });

  it('reports malformed frames without closing and keeps its queue', async () => {
    const server = await scriptedServer((ws) => {
      send(ws, welcome());
      ws.send('{"t":"msg","seq":"one"}');
      ws.send('not json');
      send(ws, { t: 'hello', v: 1, ack: 0 });
      send(ws, { t: 'msg', seq: 1, d: 'fine' });
    });
    const { client, messages, errors } = sessionClient(server.url);
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => messages.length === 1, 'the good message');
    assert.deepEqual(
      errors.map((e) => [e.kind, e.code]),
      [
        ['frame', 'bad-frame'],
        ['frame', 'bad-json'],
        ['frame', 'bad-frame'],
      ],
    );
    assert.equal(client.status, 'open');
    assert.equal(server.hellos.length, 1);
  });

  it('tells its delegate when the page counts as unloading, and reports no outage once the page leaves', async () => {
    const server = await scriptedServer((ws) => send(ws, welcome()));
    const url = server.url;
    const { config } = parseConfig({ ...NO_ATTRIBUTES, url, protocol: 'session', delays: '20', jitter: '0' }, url);
    const env = headlessEnvironment(WebSocket as unknown as typeof globalThis.WebSocket);
    const unloading: boolean[] = [];
    const statuses: string[] = [];
    const client = new SessionClient(
      config,
      {
        status: (d) => statuses.push(d.status),
        message() {},
        error() {},
        session() {},
        recovered() {},
        sessionId() {},
        unloading: (u) => unloading.push(u),
      },
      env,
    );
    cleanups.push(() => client.dispose(), server.close);
    client.connect();
    await until(() => client.status === 'open', 'open');
    env.window.dispatchEvent(new Event('beforeunload'));
    env.window.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: false }));
    assert.deepEqual(unloading, [true, true]);
    const seen = statuses.length;
    for (const ws of server.clients()) ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(statuses.slice(seen), [], 'no reconnecting while the page leaves');
    client.disconnect();
    assert.deepEqual(unloading, [true, true, false], 'listening stops: the page stays as far as anyone knows');
    env.window.dispatchEvent(new Event('beforeunload'));
    assert.equal(unloading.length, 3, 'no listener left behind');
  });
});
