// The session protocol without a socket: a recording fake socket, a manual clock and timers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ATTRIBUTES, parseConfig } from '../../src/config.js';
import { defaultEnvironment, type SocketLike } from '../../src/client/environment.js';
import { Outbox } from '../../src/client/outbox.js';
import { toSessionWire, type WirePayload } from '../../src/client/payload.js';
import { SessionLayer } from '../../src/client/session-layer.js';
import type { ClientDelegate } from '../../src/client/types.js';

function setup() {
  const url = 'ws://127.0.0.1:1/';
  const { config } = parseConfig(
    { ...NO_ATTRIBUTES, url, protocol: 'session', heartbeatInterval: '1000', heartbeatTimeout: '500' },
    url,
  );
  let now = 1000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const env = {
    ...defaultEnvironment(),
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (id: number | undefined) => void timers.delete(id ?? -1),
  };
  /** Moves the clock on, firing due timers in order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fn();
    }
    now = end;
  };
  const sent: Record<string, unknown>[] = [];
  const ws: SocketLike = {
    readyState: 1,
    binaryType: 'arraybuffer',
    send: (data) => void sent.push(JSON.parse(String(data)) as Record<string, unknown>),
    close: () => {},
    addEventListener: () => {},
  };
  const events: unknown[][] = [];
  const delegate: ClientDelegate = {
    status: () => {},
    message: (d) => events.push(['message', d.data, d.seq]),
    error: (d) => events.push(['error', d.kind]),
    sessionId: (id) => events.push(['sessionId', id]),
    session: (d) => events.push(['session', d.resumed]),
    recovered: () => {},
  };
  const host = {
    abandon: (cause: string) => events.push(['abandon', cause]),
    open: (_ws: SocketLike, resumed: boolean) => events.push(['open', resumed]),
    drain: () => events.push(['drain']),
    persist: () => {},
    acked: () => events.push(['acked']),
    retry: (hint: object) => events.push(['retry', hint]),
    reauth: () => events.push(['reauth']),
  };
  const outbox = new Outbox<WirePayload>(100);
  const layer = new SessionLayer(config, host, delegate, env, outbox);
  const frame = (f: object) => layer.receive(JSON.stringify(f), null);
  const welcome = (f: object = {}) =>
    frame({ t: 'welcome', sid: 's1', token: 't1', resumed: false, ack: 0, lifetimeMs: 60000, ...f });
  return { layer, ws, sent, events, outbox, advance, frame, welcome, timers, config };
}

describe('SessionLayer', () => {
  it('says hello, takes the welcome, then sends what was queued before it', () => {
    const { layer, ws, sent, events, outbox, welcome } = setup();
    const entry = outbox.push(toSessionWire('early'), 5);
    layer.transmit(entry);
    layer.hello(ws, null);
    assert.deepEqual(sent, [{ t: 'hello', v: 1, ack: 0 }]);
    welcome();
    assert.deepEqual(events, [
      ['sessionId', 's1'],
      ['session', false],
      ['open', false],
    ]);
    assert.deepEqual(sent[1], { t: 'msg', seq: 1, d: 'early' });
    assert.equal(layer.sid, 's1');
    layer.stop();
    layer.hello(ws, null);
    assert.deepEqual(sent.at(-1), { t: 'hello', v: 1, sid: 's1', token: 't1', ack: 0 });
  });

  it('carries the credential in hello, hands reauth to its host and sends auth only on the welcomed socket', () => {
    const { layer, ws, sent, events, frame, welcome } = setup();
    layer.hello(ws, null, 'cred-1');
    assert.deepEqual(sent, [{ t: 'hello', v: 1, ack: 0, auth: 'cred-1' }]);
    layer.authenticate(ws, 'too-early');
    assert.equal(sent.length, 1, 'no auth frame before the welcome');
    welcome();
    events.length = 0;
    frame({ t: 'reauth', before: Date.now() + 60_000 });
    assert.deepEqual(events, [['reauth']]);
    layer.authenticate(ws, 'cred-2');
    assert.deepEqual(sent.at(-1), { t: 'auth', auth: 'cred-2' });
    const other = { ...ws };
    layer.authenticate(other, 'for-another-socket');
    layer.stop();
    layer.authenticate(ws, 'after-stop');
    assert.deepEqual(sent.at(-1), { t: 'auth', auth: 'cred-2' });
  });

  it('delivers messages in order, batches acks and gives up on a gap', () => {
    const { layer, ws, sent, events, advance, frame, welcome } = setup();
    layer.hello(ws, null);
    welcome();
    events.length = 0;
    const got: unknown[] = [];
    layer.receive(JSON.stringify({ t: 'msg', seq: 1, d: 'a' }), (d, seq) => got.push([d, seq]));
    frame({ t: 'msg', seq: 1, d: 'again' });
    frame({ t: 'msg', seq: 2, d: 'b' });
    assert.deepEqual(got, [['a', 1]]);
    assert.deepEqual(events, [['message', 'b', 2]]);
    assert.equal(sent.filter((f) => f.t === 'ack').length, 0);
    advance(25);
    assert.deepEqual(sent.at(-1), { t: 'ack', seq: 2 });
    frame({ t: 'msg', seq: 4, d: 'gap' });
    assert.deepEqual(events.slice(-2), [
      ['error', 'protocol'],
      ['abandon', 'protocol'],
    ]);
  });

  it('takes acknowledged messages out of the queue and resends the rest on resume', () => {
    const { layer, ws, sent, events, outbox, frame, welcome } = setup();
    layer.hello(ws, null);
    welcome();
    for (const d of ['x', 'y', 'z']) layer.transmit(outbox.push(toSessionWire(d), 1));
    events.length = 0;
    frame({ t: 'ack', seq: 2 });
    frame({ t: 'ack', seq: 2 });
    assert.equal(outbox.size, 1);
    assert.deepEqual(events, [['acked'], ['drain']], 'a repeated ack is no news');
    layer.stop();
    sent.length = 0;
    layer.hello(ws, 500);
    welcome({ resumed: true, seq: 0 });
    assert.deepEqual(sent.slice(1), [
      { t: 'ack', seq: 0 },
      { t: 'msg', seq: 3, d: 'z' },
    ]);
    assert.deepEqual(events.at(-1), ['open', true]);
  });

  it('pings after a quiet interval and abandons the socket when no answer comes', () => {
    const { layer, ws, sent, events, advance, welcome, timers } = setup();
    layer.hello(ws, null);
    welcome();
    advance(999);
    assert.equal(sent.filter((f) => f.t === 'ping').length, 0);
    advance(1);
    assert.equal(sent.at(-1)?.t, 'ping');
    advance(499);
    assert.equal(events.at(-1)?.[0], 'open');
    advance(1);
    assert.deepEqual(events.at(-1), ['abandon', 'heartbeat']);
    layer.stop();
    assert.equal(timers.size, 0);
  });

  it('answers a ping and keeps the socket when any frame comes back in time', () => {
    const { layer, ws, sent, events, advance, frame, welcome } = setup();
    layer.hello(ws, null);
    welcome();
    frame({ t: 'ping', ts: 7 });
    assert.deepEqual(sent.at(-1), { t: 'pong', ts: 7 });
    advance(1000);
    assert.equal(sent.at(-1)?.t, 'ping');
    frame({ t: 'pong' });
    advance(999);
    assert.ok(!events.some((e) => e[0] === 'abandon'));
    advance(1);
    assert.equal(sent.filter((f) => f.t === 'ping').length, 2);
  });

  it('reports a resume that the server acknowledged messages on, and only that one', () => {
    const { layer, ws, events, outbox, welcome } = setup();
    layer.hello(ws, null);
    welcome();
    for (const d of ['x', 'y']) layer.transmit(outbox.push(toSessionWire(d), 1));
    layer.stop();
    layer.hello(ws, 500);
    events.length = 0;
    welcome({ resumed: true, ack: 0, seq: 0 });
    assert.ok(!events.some((e) => e[0] === 'acked'), 'nothing new acknowledged');
    layer.stop();
    layer.hello(ws, 500);
    events.length = 0;
    welcome({ resumed: true, ack: 1, seq: 0 });
    assert.deepEqual(events[0], ['acked']);
    assert.equal(outbox.size, 1);
  });

  it("hands the server's retry frame to its host instead of keeping it", () => {
    const { layer, ws, events, frame, welcome } = setup();
    layer.hello(ws, null);
    welcome();
    frame({ t: 'retry', afterMs: 5000, spreadMs: 1000 });
    assert.deepEqual(events.at(-1), ['retry', { afterMs: 5000, spreadMs: 1000 }]);
  });

  it('takes new heartbeat settings from configure()', () => {
    const { layer, ws, sent, advance, welcome, config } = setup();
    layer.configure({ ...config, heartbeatInterval: 3000 });
    layer.hello(ws, null);
    welcome();
    advance(2999);
    assert.equal(sent.filter((f) => f.t === 'ping').length, 0);
    advance(1);
    assert.equal(sent.at(-1)?.t, 'ping');
  });
});
