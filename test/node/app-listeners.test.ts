import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionServer } from '../../src/server/index.js';
import { until, delay } from './support.js';
import { serverFixture } from './fixture.js';

const T = { timeout: 15_000 };
const setup = serverFixture();

const boom = (what: string) => () => {
  throw new Error(`${what} listener bug`);
};

describe('throwing application listeners', () => {
  it('expire (server and session), close and detach: reported, the process and the sweep go on', T, async () => {
    let now = 0;
    const { server, client, sessions, errors } = await setup({ now: () => now, unusedSessionLifetimeMs: 1000 });
    server.on('expire', boom('server expire'));
    const c = client();
    await c.hello();
    const s = sessions[0]!;
    s.on('expire', boom('session expire'));
    s.on('close', boom('close'));
    s.on('detach', boom('detach'));
    let laterListener = false;
    s.on('close', () => (laterListener = true));
    c.close();
    await until(() => !s.connected, 'detached');
    now += 5000;
    assert.deepEqual(server.sweep(), [s.id]);
    assert.equal(s.closed, true);
    assert.equal(server.sessionCount, 0);
    assert.equal(laterListener, true, 'a throwing listener does not stop the ones after it');
    assert.deepEqual(errors.sort(), [
      'close listener bug',
      'detach listener bug',
      'server expire listener bug',
      'session expire listener bug',
    ]);
  });

  it('attach and resume: the session is consistent and still expires once the socket goes', T, async () => {
    let now = 0;
    const { server, client, sessions, errors } = await setup({ now: () => now, unusedSessionLifetimeMs: 1000 });
    server.on('session', (s) => s.on('attach', boom('attach')));
    server.on('resume', boom('resume'));
    const a = client();
    const w = await a.hello();
    a.close();
    await until(() => !sessions[0]!.connected, 'detached');
    const b = client();
    const w2 = await b.hello({ sid: w.sid, token: w.token });
    assert.equal(w2.resumed, true, 'the resume went through');
    b.send({ t: 'ping' });
    await b.next('pong');
    b.close();
    await until(() => !sessions[0]!.connected, 'detached again: never marked connected forever');
    now += 5000;
    assert.deepEqual(server.sweep(), [w.sid]);
    assert.deepEqual(errors, ['attach listener bug', 'attach listener bug', 'resume listener bug']);
  });

  it('session listener and message listener: the client still gets its welcome and its acks', T, async () => {
    const { server, client, sessions, errors } = await setup({ ackDelayMs: 1 });
    server.on('session', boom('session'));
    server.on('session', (s) => s.on('message', boom('message')));
    const c = client();
    await c.hello();
    c.send({ t: 'msg', seq: 1, d: 'x' });
    assert.deepEqual(await c.next('ack'), { t: 'ack', seq: 1 });
    assert.equal(sessions.length, 1);
    assert.deepEqual(errors, ['session listener bug', 'message listener bug']);
  });

  it('an error listener that throws is logged, not thrown', T, async () => {
    const server = createSessionServer({ port: 0, host: '127.0.0.1', allowedOrigins: boom('origin') as never });
    after(() => server.close());
    server.on('error', boom('error'));
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args.join(' '));
    try {
      await server.ready;
      server.reportError(new Error('x'));
    } finally {
      console.error = original;
    }
    assert.match(String(logged[0]), /an error listener threw: error listener bug/);
  });
});

describe('blockExpiration with maxMs', () => {
  for (const maxMs of [2 ** 31, 2 ** 40, Infinity]) {
    it(`holds a block with maxMs ${maxMs} (no timer overflow)`, T, async () => {
      const { client, sessions } = await setup();
      await client().hello();
      const s = sessions[0]!;
      s.blockExpiration({ maxMs });
      await delay(50);
      assert.equal(s.blocked, true);
      s.close();
    });
  }

  it('refuses a negative or non-numeric maxMs', T, async () => {
    const { client, sessions } = await setup();
    await client().hello();
    for (const maxMs of [-1, NaN, '10' as unknown as number])
      assert.throws(() => sessions[0]!.blockExpiration({ maxMs }), /maxMs must be a number/);
  });

  it(
    'an unblock after a block lapsed ends that work, not the outer block; the session does not expire under it',
    T,
    async () => {
      let now = 0;
      const { server, client, sessions } = await setup({ now: () => now, unusedSessionLifetimeMs: 1000 });
      const c = client();
      await c.hello();
      c.close();
      const s = sessions[0]!;
      await until(() => !s.connected, 'detached');
      s.blockExpiration();
      s.blockExpiration({ maxMs: 20 });
      await until(() => s.blocked && true, 'blocked');
      await delay(60);
      s.unblockExpiration();
      now += 5000;
      assert.deepEqual(server.sweep(), [], 'the outer work still runs');
      s.unblockExpiration();
      assert.deepEqual(server.sweep(), [], 'a full lifetime starts when the work ends');
      now += 1000;
      assert.deepEqual(server.sweep(), [s.id]);
    },
  );

  it('a block handle releases exactly its own block, in any order', T, async () => {
    const { client, sessions } = await setup();
    await client().hello();
    const s = sessions[0]!;
    const outer = s.blockExpiration();
    const inner = s.blockExpiration();
    outer.release();
    assert.equal(s.blocked, true);
    inner.release();
    inner.release();
    assert.equal(s.blocked, false);
  });
});

describe('option validation', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['maxFrameBytes 0', { maxFrameBytes: 0 }],
    ['maxFrameBytes 2^32', { maxFrameBytes: 2 ** 32 }],
    ['pingIntervalMs 0', { pingIntervalMs: 0 }],
    ['checkUnusedSessionsMs 0', { checkUnusedSessionsMs: 0 }],
    ['checkUnusedSessionsMs 2^31', { checkUnusedSessionsMs: 2 ** 31 }],
    ['unusedSessionLifetimeMs NaN', { unusedSessionLifetimeMs: NaN }],
    ['maxSessions 1.5', { maxSessions: 1.5 }],
    ['helloTimeoutMs "10"', { helloTimeoutMs: '10' }],
    ['replayOverflow drop', { replayOverflow: 'drop' }],
    ['trustProxy -1', { trustProxy: -1 }],
    ['port 70000', { port: 70000 }],
    ['path without /', { path: 'ws' }],
    ['allowedOrigins a string', { allowedOrigins: 'https://a.example' }],
  ];
  for (const [what, options] of bad) {
    it(`refuses ${what} with a one-line error naming it, before listening`, () => {
      assert.throws(
        () => createSessionServer({ port: 0, host: '127.0.0.1', ...options }),
        (e: Error) => {
          const name = Object.keys(options)[0]!;
          return e.message.includes(name) && !e.message.includes('\n');
        },
      );
    });
  }
});
